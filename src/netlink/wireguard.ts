// WireGuard over generic netlink (family "wireguard", linux/wireguard.h): WG_CMD_GET_DEVICE for one
// device, decoded into its public key, listen port, fwmark and peers (public key, endpoint, allowed
// IPs, last handshake, traffic). rtnetlink says nothing of these: a wireguard link has no
// IFLA_INFO_DATA. Secrets stay out: the private key is never decoded, and of a peer's preshared key
// only whether one is set.
//
// The kernel (drivers/net/wireguard/netlink.c wg_get_device_dump) splits a device over several
// messages when its peers do not fit one: device attributes come in the first only, and a peer
// whose allowed IPs overflow continues in the next message under the same public key.
// mergeWgDevice puts the parts back together, as the `wg` tool does.

import { compact } from "./attribute-set.ts";
import { type Attribute, encodeAttribute, encodeU32Attribute, ipAddress, parseAttributes, u16, u32, u64 } from "./attributes.ts";
import { NetlinkDecodeError } from "./errors.ts";
import { decodeGenl, encodeGenl } from "./genetlink.ts";
import type { NetlinkMessage } from "./message.ts";
import { AF_INET, AF_INET6 } from "./uapi/socket.ts";
import { NLM_F_DUMP, NLM_F_REQUEST } from "./uapi/netlink.ts";
import {
  WGALLOWEDIP_A_CIDR_MASK,
  WGALLOWEDIP_A_FAMILY,
  WGALLOWEDIP_A_IPADDR,
  WGDEVICE_A_FWMARK,
  WGDEVICE_A_IFINDEX,
  WGDEVICE_A_IFNAME,
  WGDEVICE_A_LISTEN_PORT,
  WGDEVICE_A_PEERS,
  WGDEVICE_A_PUBLIC_KEY,
  WGPEER_A_ALLOWEDIPS,
  WGPEER_A_ENDPOINT,
  WGPEER_A_LAST_HANDSHAKE_TIME,
  WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL,
  WGPEER_A_PRESHARED_KEY,
  WGPEER_A_PROTOCOL_VERSION,
  WGPEER_A_PUBLIC_KEY,
  WGPEER_A_RX_BYTES,
  WGPEER_A_TX_BYTES,
  WG_CMD_GET_DEVICE,
  WG_GENL_VERSION,
} from "./uapi/wireguard.ts";

export interface WgAllowedIp {
  address: string;
  prefixLength: number;
}

export interface WgPeer {
  /** Base64, as `wg show` prints keys. */
  publicKey: string;
  hasPresharedKey?: boolean;
  /** "198.51.100.1:51820" or "[2001:db8::1]:51820"; absent until the peer is configured or heard from. */
  endpoint?: { address: string; port: number };
  /** Seconds; 0 is off. */
  persistentKeepalive?: number;
  /** Seconds since the epoch of the last handshake (0: never). */
  lastHandshake?: number;
  rxBytes?: bigint;
  txBytes?: bigint;
  protocolVersion?: number;
  allowedIps: WgAllowedIp[];
}

export interface WgDevice {
  ifindex?: number;
  ifname?: string;
  publicKey?: string;
  listenPort?: number;
  fwmark?: number;
  peers: WgPeer[];
}

const WG_KEY_LEN = 32;

/** WG_CMD_GET_DEVICE for the device with `ifindex` (the kernel only serves it as a dump). */
export function buildGetWgDevice(seq: number, familyId: number, ifindex: number): Uint8Array {
  return encodeGenl(
    { type: familyId, flags: NLM_F_REQUEST | NLM_F_DUMP, seq, cmd: WG_CMD_GET_DEVICE, version: WG_GENL_VERSION },
    encodeU32Attribute(WGDEVICE_A_IFINDEX, ifindex),
  );
}

/** WG_CMD_GET_DEVICE by interface name. */
export function buildGetWgDeviceByName(seq: number, familyId: number, ifname: string): Uint8Array {
  return encodeGenl(
    { type: familyId, flags: NLM_F_REQUEST | NLM_F_DUMP, seq, cmd: WG_CMD_GET_DEVICE, version: WG_GENL_VERSION },
    encodeAttribute(WGDEVICE_A_IFNAME, new TextEncoder().encode(`${ifname}\0`)),
  );
}

/** One message of a WG_CMD_GET_DEVICE dump (a part of the device; see mergeWgDevice). */
export function decodeWgDevice(msg: NetlinkMessage, familyId: number): WgDevice {
  if (msg.type !== familyId) throw new NetlinkDecodeError(`decodeWgDevice: message type ${msg.type} is not the wireguard family (${familyId})`);
  const g = decodeGenl(msg);
  if (g.cmd !== WG_CMD_GET_DEVICE) throw new NetlinkDecodeError(`decodeWgDevice: command ${g.cmd} is not WG_CMD_GET_DEVICE`);
  const a = g.attrs;
  const peers = a.get(WGDEVICE_A_PEERS);
  return compact<WgDevice>({
    ifindex: a.u32(WGDEVICE_A_IFINDEX, "WGDEVICE_A_IFINDEX"),
    ifname: a.str(WGDEVICE_A_IFNAME),
    publicKey: key(a.get(WGDEVICE_A_PUBLIC_KEY), "WGDEVICE_A_PUBLIC_KEY"),
    listenPort: a.u16(WGDEVICE_A_LISTEN_PORT, "WGDEVICE_A_LISTEN_PORT"),
    fwmark: a.u32(WGDEVICE_A_FWMARK, "WGDEVICE_A_FWMARK"),
    peers: peers ? parseAttributes(peers.data, peers.offset + 4).map(decodePeer) : [],
  });
}

/** The parts of one device's dump, in order, as one device. */
export function mergeWgDevice(parts: WgDevice[]): WgDevice {
  const out: WgDevice = { peers: [] };
  for (const part of parts) {
    const { peers, ...device } = part;
    Object.assign(out, device);
    for (const p of peers) {
      const last = out.peers.at(-1);
      if (last && last.publicKey === p.publicKey) {
        const { allowedIps, ...rest } = p;
        Object.assign(last, rest);
        last.allowedIps.push(...allowedIps);
      } else {
        out.peers.push({ ...p, allowedIps: [...p.allowedIps] });
      }
    }
  }
  return out;
}

function decodePeer(nest: Attribute): WgPeer {
  const attrs = new Map(parseAttributes(nest.data, nest.offset + 4).map((a) => [a.type, a]));
  const get = (type: number) => attrs.get(type);
  const publicKey = key(get(WGPEER_A_PUBLIC_KEY), "WGPEER_A_PUBLIC_KEY");
  if (publicKey === undefined) throw new NetlinkDecodeError("a wireguard peer without WGPEER_A_PUBLIC_KEY", nest.offset);
  const psk = get(WGPEER_A_PRESHARED_KEY);
  const handshake = get(WGPEER_A_LAST_HANDSHAKE_TIME);
  const allowed = get(WGPEER_A_ALLOWEDIPS);
  const num = <T>(type: number, name: string, f: (d: Uint8Array, what: string, offset: number) => T) => {
    const a = get(type);
    return a && f(a.data, name, a.offset);
  };
  return compact<WgPeer>({
    publicKey,
    // All zero: no preshared key. The key itself is a secret and is not kept.
    hasPresharedKey: psk ? psk.data.some((b) => b !== 0) : undefined,
    endpoint: endpoint(get(WGPEER_A_ENDPOINT)),
    persistentKeepalive: num(WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, "WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL", u16),
    // struct __kernel_timespec { __s64 tv_sec; __s64 tv_nsec; }
    lastHandshake: handshake && Number(u64(handshake.data, "WGPEER_A_LAST_HANDSHAKE_TIME", handshake.offset)),
    rxBytes: num(WGPEER_A_RX_BYTES, "WGPEER_A_RX_BYTES", u64),
    txBytes: num(WGPEER_A_TX_BYTES, "WGPEER_A_TX_BYTES", u64),
    protocolVersion: num(WGPEER_A_PROTOCOL_VERSION, "WGPEER_A_PROTOCOL_VERSION", u32),
    allowedIps: allowed ? parseAttributes(allowed.data, allowed.offset + 4).map(allowedIp) : [],
  });
}

function allowedIp(nest: Attribute): WgAllowedIp {
  const attrs = new Map(parseAttributes(nest.data, nest.offset + 4).map((a) => [a.type, a]));
  const family = attrs.get(WGALLOWEDIP_A_FAMILY);
  const addr = attrs.get(WGALLOWEDIP_A_IPADDR);
  const cidr = attrs.get(WGALLOWEDIP_A_CIDR_MASK);
  if (!family || !addr || !cidr || cidr.data.length < 1) throw new NetlinkDecodeError("a wireguard allowed IP needs WGALLOWEDIP_A_FAMILY, _IPADDR and _CIDR_MASK", nest.offset);
  const f = u16(family.data, "WGALLOWEDIP_A_FAMILY", family.offset);
  const want = f === AF_INET ? 4 : f === AF_INET6 ? 16 : 0;
  if (addr.data.length !== want) throw new NetlinkDecodeError(`WGALLOWEDIP_A_IPADDR: family ${f} needs ${want} bytes, got ${addr.data.length}`, addr.offset);
  const prefixLength = cidr.data[0]!;
  if (prefixLength > want * 8) throw new NetlinkDecodeError(`WGALLOWEDIP_A_CIDR_MASK: /${prefixLength} is too long for family ${f}`, cidr.offset);
  return { address: ipAddress(addr.data, "WGALLOWEDIP_A_IPADDR", addr.offset), prefixLength };
}

/** WGPEER_A_ENDPOINT: a struct sockaddr_in (16 bytes) or sockaddr_in6 (28 bytes). */
function endpoint(a: Attribute | undefined): WgPeer["endpoint"] {
  if (!a) return undefined;
  const d = a.data;
  if (d.length < 2) throw new NetlinkDecodeError("WGPEER_A_ENDPOINT: too short for a sockaddr", a.offset);
  const family = u16(d);
  const port = (d[2]! << 8) | d[3]!; // sin_port / sin6_port, network order
  if (family === AF_INET && d.length >= 16) return { address: ipAddress(d.subarray(4, 8), "sin_addr", a.offset), port };
  if (family === AF_INET6 && d.length >= 28) return { address: ipAddress(d.subarray(8, 24), "sin6_addr", a.offset), port };
  throw new NetlinkDecodeError(`WGPEER_A_ENDPOINT: ${d.length} bytes of family ${family} are not a sockaddr_in or sockaddr_in6`, a.offset);
}

function key(a: Attribute | undefined, name: string): string | undefined {
  if (!a) return undefined;
  if (a.data.length !== WG_KEY_LEN) throw new NetlinkDecodeError(`${name}: a key is ${WG_KEY_LEN} bytes, got ${a.data.length}`, a.offset);
  return btoa(String.fromCharCode(...a.data));
}
