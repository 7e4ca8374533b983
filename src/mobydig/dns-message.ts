// DNS messages (RFC 1035 §4) for address lookups: a query for one name and type (A or AAAA), and
// the addresses in an answer to it. Pure; what the prober sends to an engine's embedded DNS.

import { formatIp } from "../model/ip.ts";

export const TYPE_A = 1;
export const TYPE_AAAA = 28;
const CLASS_IN = 1;
const FLAG_QR = 0x8000;
const FLAG_TC = 0x0200;
const FLAG_RD = 0x0100;

const RCODES: Record<number, string> = { 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED" };

export class DnsMessageError extends Error {
  override name = "DnsMessageError";
}

/** A standard query with recursion desired, for `name` (with or without the final dot). */
export function encodeQuery(id: number, name: string, type: number): Uint8Array {
  const labels = name.replace(/\.$/, "").split(".");
  if (labels.some((l) => l.length === 0 || l.length > 63)) throw new DnsMessageError(`"${name}" is not a valid DNS name`);
  const encoded = labels.map((l) => new TextEncoder().encode(l));
  if (encoded.some((l) => l.length > 63)) throw new DnsMessageError(`"${name}": a label is longer than 63 bytes`);
  const qnameLength = encoded.reduce((n, l) => n + 1 + l.length, 1);
  if (qnameLength > 255) throw new DnsMessageError(`"${name}" is longer than 255 bytes`);
  const out = new Uint8Array(12 + qnameLength + 4);
  const v = new DataView(out.buffer);
  v.setUint16(0, id);
  v.setUint16(2, FLAG_RD);
  v.setUint16(4, 1); // QDCOUNT
  let at = 12;
  for (const l of encoded) {
    out[at++] = l.length;
    out.set(l, at);
    at += l.length;
  }
  out[at++] = 0;
  v.setUint16(at, type);
  v.setUint16(at + 2, CLASS_IN);
  return out;
}

export interface DnsAnswer {
  id: number;
  /** NOERROR, NXDOMAIN, SERVFAIL, … */
  rcode: string;
  truncated: boolean;
  /** The A or AAAA records' addresses (of the asked type), as text. */
  addresses: string[];
}

/** Parses a response; throws DnsMessageError for anything malformed (never reads past the end). */
export function decodeAnswer(msg: Uint8Array, type: number): DnsAnswer {
  if (msg.length < 12) throw new DnsMessageError(`a DNS message has a 12-byte header, got ${msg.length} bytes`);
  const v = new DataView(msg.buffer, msg.byteOffset, msg.byteLength);
  const flags = v.getUint16(2);
  if ((flags & FLAG_QR) === 0) throw new DnsMessageError("not a response");
  const qd = v.getUint16(4);
  const an = v.getUint16(6);
  let at = 12;
  for (let i = 0; i < qd; i++) at = skipName(msg, at) + 4;
  const addresses: string[] = [];
  for (let i = 0; i < an; i++) {
    at = skipName(msg, at);
    if (at + 10 > msg.length) throw new DnsMessageError("answer record cut short");
    const rtype = v.getUint16(at);
    const rdlength = v.getUint16(at + 8);
    at += 10;
    if (at + rdlength > msg.length) throw new DnsMessageError("answer data cut short");
    // Only the asked type carries an address for us; CNAMEs, DNAMEs, RRSIGs… are skipped.
    if (rtype === type && rdlength === (type === TYPE_A ? 4 : 16)) addresses.push(addressText(msg.subarray(at, at + rdlength)));
    at += rdlength;
  }
  const code = flags & 0xf;
  return { id: v.getUint16(0), rcode: code === 0 ? "NOERROR" : (RCODES[code] ?? `RCODE${code}`), truncated: (flags & FLAG_TC) !== 0, addresses };
}

/** The offset after a (possibly compressed) name starting at `at`. */
function skipName(msg: Uint8Array, at: number): number {
  for (;;) {
    if (at >= msg.length) throw new DnsMessageError("name runs past the end of the message");
    const len = msg[at]!;
    if (len === 0) return at + 1;
    if ((len & 0xc0) === 0xc0) {
      if (at + 2 > msg.length) throw new DnsMessageError("compression pointer cut short");
      return at + 2;
    }
    if ((len & 0xc0) !== 0) throw new DnsMessageError(`label type 0x${len.toString(16)} is not supported`);
    at += 1 + len;
  }
}

/** An address record's bytes as text (RFC 5952 for IPv6), as the model prints addresses. */
function addressText(b: Uint8Array): string {
  let value = 0n;
  for (const byte of b) value = (value << 8n) | BigInt(byte);
  return formatIp({ family: b.length === 4 ? "ipv4" : "ipv6", value });
}
