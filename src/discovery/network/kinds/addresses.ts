// Address tests the tunnel kinds share.

export function isMulticast(addr: string | undefined): boolean {
  if (!addr) return false;
  if (addr.includes(":")) return addr.toLowerCase().startsWith("ff");
  const first = Number(addr.split(".")[0]);
  return first >= 224 && first <= 239;
}

/** "0.0.0.0", "::" (and absent): the kernel's way of saying "any". */
export function specified(addr: string | undefined): string | null {
  return addr === undefined || addr === "0.0.0.0" || addr === "::" ? null : addr;
}
