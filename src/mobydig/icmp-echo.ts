// ICMP and ICMPv6 echo (RFC 792, RFC 4443 §4): the request the prober sends and how it tells the
// replies to its own requests from everything else a raw socket sees. Pure.

export const ICMP_ECHO_REPLY = 0;
export const ICMP_ECHO_REQUEST = 8;
export const ICMPV6_ECHO_REQUEST = 128;
export const ICMPV6_ECHO_REPLY = 129;

/** The Internet checksum (RFC 1071) over `b`. */
export function checksum(b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i + 1 < b.length; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  if (b.length % 2 === 1) sum += b[b.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/**
 * An echo request with `id` and `seq` and a payload naming us. IPv4 carries our checksum; for
 * ICMPv6 the kernel fills it in (it covers a pseudo-header only the kernel knows for sure).
 */
export function echoRequest(v6: boolean, id: number, seq: number): Uint8Array {
  const payload = new TextEncoder().encode("wiresight mobydig");
  const out = new Uint8Array(8 + payload.length);
  const v = new DataView(out.buffer);
  out[0] = v6 ? ICMPV6_ECHO_REQUEST : ICMP_ECHO_REQUEST;
  v.setUint16(4, id);
  v.setUint16(6, seq);
  out.set(payload, 8);
  if (!v6) v.setUint16(2, checksum(out));
  return out;
}

/**
 * The (id, seq) of an echo reply, or null for anything else. An IPv4 raw socket hands over the IP
 * header too (its length is in the first byte); an ICMPv6 one the ICMPv6 message alone.
 */
export function parseEchoReply(v6: boolean, packet: Uint8Array): { id: number; seq: number } | null {
  let at = 0;
  if (!v6) {
    if (packet.length < 20 || packet[0]! >> 4 !== 4) return null;
    at = (packet[0]! & 0x0f) * 4;
  }
  if (packet.length < at + 8) return null;
  if (packet[at] !== (v6 ? ICMPV6_ECHO_REPLY : ICMP_ECHO_REPLY) || packet[at + 1] !== 0) return null;
  const v = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  return { id: v.getUint16(at + 4), seq: v.getUint16(at + 6) };
}
