// Following keys to objects in one topology's maps: a key whose entity is missing (a relation to
// something discovery did not see) gives null, or is left out of a list, never an error.

export function byKey<T>(map: Map<string, T>, key: string | null | undefined): T | null {
  return key === null || key === undefined ? null : (map.get(key) ?? null);
}

export function byKeys<T>(map: Map<string, T>, keys: readonly string[]): T[] {
  const out: T[] = [];
  for (const k of keys) {
    const v = map.get(k);
    if (v !== undefined) out.push(v);
  }
  return out;
}
