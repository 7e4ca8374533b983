// IP addresses as numbers, for prefix matching in the model (whereIs, route lookups). The model
// imports nothing of ours, so this cannot reuse src/netlink/inet.ts (which turns kernel bytes into
// text); it parses the text the topology holds and what users type, strictly: a typo must be a
// clear error, never a silently different address.

export type IpFamily = "ipv4" | "ipv6";

export interface Ip {
  family: IpFamily;
  /** The address as an unsigned integer of 32 (IPv4) or 128 (IPv6) bits. */
  value: bigint;
}

export class IpParseError extends Error {
  override name = "IpParseError";
}

export const IP_BITS: Record<IpFamily, number> = { ipv4: 32, ipv6: 128 };

/**
 * Dotted-quad IPv4 ("10.0.0.1": four decimal parts, no leading zeros, as inet_pton wants) or
 * IPv6 text (RFC 4291 §2.2: hex groups, one `::` for a run of zero groups, an optional dotted
 * IPv4 tail such as "::ffff:10.0.0.1"). Zone ids ("fe80::1%eth0") and prefixes ("10.0.0.0/8")
 * are rejected with a message that says so, because an address is what is asked for.
 */
export function parseIp(text: string): Ip {
  if (typeof text !== "string" || text === "") throw new IpParseError("an IP address is required, got an empty string");
  if (text.includes("/")) throw new IpParseError(`${quote(text)} is a prefix; give a single address (without /LENGTH)`);
  if (text.includes("%")) throw new IpParseError(`${quote(text)}: zone ids (%INTERFACE) are not supported; give the address alone`);
  if (text.includes(":")) {
    const value = parseIpv6(text);
    if (value === undefined) throw new IpParseError(`${quote(text)} is not a valid IPv6 address`);
    return { family: "ipv6", value };
  }
  const value = parseIpv4(text);
  if (value === undefined) throw new IpParseError(`${quote(text)} is not a valid IP address (IPv4 is four numbers 0-255 joined by dots)`);
  return { family: "ipv4", value };
}

/** `parseIp`, or null instead of an error (for text that may be something else, like a name). */
export function tryParseIp(text: string): Ip | null {
  try {
    return parseIp(text);
  } catch (err) {
    if (err instanceof IpParseError) return null;
    throw err;
  }
}

/** ::ffff:a.b.c.d → a.b.c.d: a dual-stack socket sends these as IPv4 packets. */
export function unmapV4(ip: Ip): Ip {
  return isV4Mapped(ip) ? { family: "ipv4", value: ip.value & 0xffffffffn } : ip;
}

export function isV4Mapped(ip: Ip): boolean {
  return ip.family === "ipv6" && ip.value >> 32n === 0xffffn;
}

/** Canonical text: dotted quad, or RFC 5952 (lowercase, longest zero run of ≥2 groups as `::`, v4-mapped dotted). */
export function formatIp(ip: Ip): string {
  if (ip.family === "ipv4") return formatV4(ip.value);
  const words: number[] = [];
  for (let i = 7; i >= 0; i--) words.push(Number((ip.value >> BigInt(i * 16)) & 0xffffn));
  if (isV4Mapped(ip)) return `::ffff:${formatV4(ip.value & 0xffffffffn)}`;
  let bestAt = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(":");
  if (bestLen < 2) return hex(words);
  return `${hex(words.slice(0, bestAt))}::${hex(words.slice(bestAt + bestLen))}`;
}

/** Whether `ip` lies in `network/prefixLength` (same family; a 0 length matches everything). */
export function inPrefix(ip: Ip, network: Ip, prefixLength: number): boolean {
  if (ip.family !== network.family) return false;
  const shift = BigInt(IP_BITS[ip.family] - prefixLength);
  return ip.value >> shift === network.value >> shift;
}

export function sameIp(a: Ip, b: Ip): boolean {
  return a.family === b.family && a.value === b.value;
}

function formatV4(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join(".");
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const compressed = halves.length === 2;
  const head = groups(halves[0]!, !compressed);
  const tail = compressed ? groups(halves[1]!, true) : [];
  if (!head || !tail) return undefined;
  const total = head.length + tail.length;
  // Without `::` there must be exactly 8 groups; with it, `::` stands for at least one zero group.
  if (compressed ? total > 7 : total !== 8) return undefined;
  const words = [...head, ...new Array<number>(8 - total).fill(0), ...tail];
  return words.reduce((acc, w) => (acc << 16n) | BigInt(w), 0n);
}

// "a:b:c" → 16-bit words; the last part may be a dotted IPv4 address (two words) when `v4Tail`.
function groups(s: string, v4Tail: boolean): number[] | undefined {
  if (s === "") return [];
  const parts = s.split(":");
  const words: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (v4Tail && i === parts.length - 1 && p.includes(".")) {
      const v4 = parseIpv4(p);
      if (v4 === undefined) return undefined;
      words.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
    } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) {
      words.push(parseInt(p, 16));
    } else {
      return undefined;
    }
  }
  return words;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}
