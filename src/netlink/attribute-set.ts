// The decoders' view of one attribute area: typed getters by attribute type that return
// undefined when the attribute is absent and name the attribute and its offset when it is
// malformed. Internal to src/netlink; the public readers are in attributes.ts.

import { type Attribute, be16, be32, be64, parseAttributes, s32, str, u16, u32, u64, u8 } from "./attributes.ts";
import { NetlinkDecodeError } from "./errors.ts";
import { ipAddress, mac } from "./inet.ts";
import { AF_INET, AF_INET6 } from "./uapi/socket.ts";
import { RTNL_FAMILY_IP6MR, RTNL_FAMILY_IPMR } from "./uapi/rtnetlink.ts";

export class AttributeSet {
  private readonly byType = new Map<number, Attribute>();

  /** `base`: where `bytes` starts in the netlink message, so that errors carry message offsets. */
  constructor(bytes: Uint8Array, base: number) {
    for (const a of parseAttributes(bytes, base)) this.byType.set(a.type, a); // last wins, like nla_parse
  }

  get(type: number): Attribute | undefined {
    return this.byType.get(type);
  }

  u8(type: number, name: string): number | undefined {
    const a = this.byType.get(type);
    return a && u8(a.data, name, a.offset);
  }

  u16(type: number, name: string): number | undefined {
    const a = this.byType.get(type);
    return a && u16(a.data, name, a.offset);
  }

  u32(type: number, name: string): number | undefined {
    const a = this.byType.get(type);
    return a && u32(a.data, name, a.offset);
  }

  s32(type: number, name: string): number | undefined {
    const a = this.byType.get(type);
    return a && s32(a.data, name, a.offset);
  }

  u64(type: number, name: string): bigint | undefined {
    const a = this.byType.get(type);
    return a && u64(a.data, name, a.offset);
  }

  be16(type: number, name: string): number | undefined {
    const a = this.byType.get(type);
    return a && be16(a.data, name, a.offset);
  }

  be32(type: number, name: string): number | undefined {
    const a = this.byType.get(type);
    return a && be32(a.data, name, a.offset);
  }

  be64(type: number, name: string): bigint | undefined {
    const a = this.byType.get(type);
    return a && be64(a.data, name, a.offset);
  }

  /** A u8 attribute used as a boolean (the kernel sends 0 or 1). */
  bool(type: number, name: string): boolean | undefined {
    const v = this.u8(type, name);
    return v === undefined ? undefined : v !== 0;
  }

  str(type: number): string | undefined {
    const a = this.byType.get(type);
    return a && str(a.data);
  }

  mac(type: number): string | undefined {
    const a = this.byType.get(type);
    return a && mac(a.data);
  }

  /** An address whose length must be 4 or 16 (e.g. IFLA_VXLAN_GROUP, IFLA_VXLAN_GROUP6). */
  ip(type: number, name: string): string | undefined {
    const a = this.byType.get(type);
    return a && ipAddress(a.data, name, a.offset);
  }

  /** An address of the message's family; undefined for families that are not IP (see inetAddress). */
  inet(type: number, name: string, family: number): string | undefined {
    const a = this.byType.get(type);
    return a && inetAddress(family, a.data, name, a.offset);
  }

  nested(type: number): AttributeSet | undefined {
    const a = this.byType.get(type);
    return a && new AttributeSet(a.data, a.offset + 4);
  }
}

/** Address length of an rtnetlink family, or 0 when the family does not carry IP addresses. */
export function inetLength(family: number): number {
  if (family === AF_INET || family === RTNL_FAMILY_IPMR) return 4;
  if (family === AF_INET6 || family === RTNL_FAMILY_IP6MR) return 16;
  return 0;
}

/**
 * Bytes of an address in `family` → text. Families that are not IP (MPLS labels, MCTP, …)
 * give undefined rather than an error, so one odd message does not sink an AF_UNSPEC dump;
 * an IP address of the wrong length is an error.
 */
export function inetAddress(family: number, data: Uint8Array, what: string, offset?: number): string | undefined {
  const len = inetLength(family);
  if (len === 0) return undefined;
  if (data.length !== len) {
    throw new NetlinkDecodeError(`${what}: family ${family} address must be ${len} bytes, got ${data.length}`, offset);
  }
  return ipAddress(data, what, offset);
}

/** A copy of `o` without the keys whose value is undefined, so decoded objects hold only what was sent. */
export function compact<T extends object>(o: T): T {
  const out = {} as T;
  for (const k in o) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
