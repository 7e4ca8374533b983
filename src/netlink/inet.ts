// Text forms of addresses, without libc: inet_ntop/inet_pton as glibc does them, and MAC text
// as iproute2 prints it. Byte-exact agreement with glibc matters because addresses are parts of
// identity keys and are compared with what `ip` shows.

import { NetlinkDecodeError } from "./errors.ts";

/** 4 bytes → dotted quad, 16 bytes → RFC 5952 text exactly as glibc's inet_ntop prints it. */
export function ipAddress(bytes: Uint8Array, what = "address", offset?: number): string {
  if (bytes.length === 4) return ipv4(bytes, 0);
  if (bytes.length === 16) return ipv6(bytes);
  throw new NetlinkDecodeError(`${what}: an IP address is 4 or 16 bytes, got ${bytes.length}`, offset);
}

function ipv4(b: Uint8Array, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

// glibc resolv/inet_ntop.c inet_ntop6, step by step: compress the first longest run of two or
// more zero groups; print v4-mapped (::ffff:a.b.c.d) and v4-compatible (::a.b.c.d) addresses
// with a dotted tail.
function ipv6(b: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((b[i]! << 8) | b[i + 1]!);
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (curBase === -1) {
        curBase = i;
        curLen = 1;
      } else curLen++;
    } else if (curBase !== -1) {
      if (bestBase === -1 || curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
      curBase = -1;
    }
  }
  if (curBase !== -1 && (bestBase === -1 || curLen > bestLen)) {
    bestBase = curBase;
    bestLen = curLen;
  }
  if (bestBase !== -1 && bestLen < 2) bestBase = -1;

  let out = "";
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ":";
      continue;
    }
    if (i !== 0) out += ":";
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      return out + ipv4(b, 12);
    }
    out += words[i]!.toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) out += ":";
  return out;
}

/**
 * IPv4 dotted quad or IPv6 text → 4 or 16 bytes, accepting what glibc's inet_pton accepts
 * (no leading zeros in IPv4 parts, a dotted IPv4 tail allowed in IPv6, no zone ids).
 * Throws NetlinkDecodeError on anything else.
 */
export function parseIpAddress(text: string): Uint8Array {
  const bytes = text.includes(":") ? parseIpv6(text) : parseIpv4(text);
  if (!bytes) throw new NetlinkDecodeError(`not an IP address: ${JSON.stringify(text)}`);
  return bytes;
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = groups(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? groups(halves[1]!, true) : [];
  if (!head || !tail) return undefined;
  const total = head.length + tail.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const words = [...head, ...new Array<number>(8 - total).fill(0), ...tail];
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

// "a:b:c" → words; the last part may be a dotted IPv4 address (two words) when `v4Tail` allows.
function groups(s: string, v4Tail: boolean): number[] | undefined {
  if (s === "") return [];
  const parts = s.split(":");
  const words: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (v4Tail && i === parts.length - 1 && p.includes(".")) {
      const v4 = parseIpv4(p);
      if (!v4) return undefined;
      words.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) {
      words.push(parseInt(p, 16));
    } else {
      return undefined;
    }
  }
  return words;
}

/** Link-layer address bytes (any length) → "aa:bb:cc:…" in lowercase hex, as iproute2 prints. */
export function mac(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    if (i) out += ":";
    out += bytes[i]!.toString(16).padStart(2, "0");
  }
  return out;
}
