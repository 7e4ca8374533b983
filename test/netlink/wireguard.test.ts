// Generic netlink (nlctrl) and the "wireguard" family on byte-exact messages: requests compared
// byte for byte, replies built as drivers/net/wireguard/netlink.c fills them (peers and allowed
// IPs nested under type 0, struct __kernel_timespec handshakes, sockaddr endpoints). Numbers are
// literals from include/uapi/linux/genetlink.h and wireguard.h (names in comments). The test
// kernel has no wireguard module, so this is wireguard's only coverage.

import { describe, expect, test } from "bun:test";
import { NetlinkDecodeError, buildGetFamily, buildGetWgDevice, buildGetWgDeviceByName, decodeFamily, decodeWgDevice, mergeWgDevice } from "../../src/netlink/index.ts";
import { attr, be16, cstr, hex, ip4, ip6, le16, le32, msg, nest, single, toHex } from "./bytes.ts";

const GENL_ID_CTRL = 0x10;
const WG_FAMILY = 0x1b; // any id nlctrl hands out
const genl = (cmd: number, version: number) => [cmd, version, 0, 0]; // struct genlmsghdr
const le64 = (n: number) => [...le32(n), ...le32(0)];
const bytesFrom = (start: number) => Array.from({ length: 32 }, (_, i) => start + i);
const KEY_A = bytesFrom(0x01); // base64 below
const KEY_B = bytesFrom(0x41);
const KEY_C = bytesFrom(0x81);
const B64_A = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";
const B64_B = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVpbXF1eX2A=";
const B64_C = "gYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6A=";
/** struct sockaddr_in: family (host order), port (network order), address, 8 bytes of zero. */
const sockaddrIn = (addr: string, port: number) => [...le16(2), ...be16(port), ...ip4(addr), 0, 0, 0, 0, 0, 0, 0, 0];
/** struct sockaddr_in6: family, port, flowinfo, address, scope id. */
const sockaddrIn6 = (addr: string, port: number) => [...le16(10), ...be16(port), ...le32(0), ...ip6(addr), ...le32(0)];
const allowed = (family: number, addr: number[], cidr: number) => nest(0, attr(1, le16(family)), attr(2, addr), attr(3, [cidr]));

describe("nlctrl", () => {
  test("CTRL_CMD_GETFAMILY for wireguard, byte for byte", () => {
    expect(toHex(buildGetFamily(7, "wireguard"))).toBe(
      toHex(
        hex(`
          24000000 1000 0100 07000000 00000000 // nlmsghdr: len 36, GENL_ID_CTRL, NLM_F_REQUEST, seq 7
          03 01 0000                          // genlmsghdr: CTRL_CMD_GETFAMILY (3), version 1
          0e00 0200 776972656775617264 00 0000 // CTRL_ATTR_FAMILY_NAME (2) "wireguard\\0", padded
        `),
      ),
    );
  });

  test("CTRL_CMD_NEWFAMILY: the id, name and version", () => {
    const reply = single(
      msg(
        { type: GENL_ID_CTRL, seq: 7 },
        genl(1, 2), // CTRL_CMD_NEWFAMILY, nlctrl version 2
        attr(2, cstr("wireguard")), // CTRL_ATTR_FAMILY_NAME
        attr(1, le16(WG_FAMILY)), // CTRL_ATTR_FAMILY_ID u16
        attr(3, le32(1)), // CTRL_ATTR_VERSION
        attr(4, le32(0)), // CTRL_ATTR_HDRSIZE
        attr(5, le32(8)), // CTRL_ATTR_MAXATTR
        nest(6, nest(1, attr(1, le32(0)), attr(2, le32(0x0e)))), // CTRL_ATTR_OPS (not kept)
      ),
    );
    expect(decodeFamily(reply)).toEqual({ id: WG_FAMILY, name: "wireguard", version: 1 });
  });

  test("a reply of another type or command is refused", () => {
    expect(() => decodeFamily(single(msg({ type: 0x11 }, genl(1, 2), attr(1, le16(1)), attr(2, cstr("x")))))).toThrow(NetlinkDecodeError);
    expect(() => decodeFamily(single(msg({ type: GENL_ID_CTRL }, genl(3, 2), attr(1, le16(1)), attr(2, cstr("x")))))).toThrow(/CTRL_CMD_NEWFAMILY/);
  });
});

describe("WG_CMD_GET_DEVICE", () => {
  test("the request is a dump naming the device by ifindex or by name", () => {
    expect(toHex(buildGetWgDevice(8, WG_FAMILY, 5))).toBe(
      toHex(
        hex(`
          1c000000 1b00 0103 08000000 00000000 // nlmsghdr: len 28, the family's id, NLM_F_REQUEST|NLM_F_DUMP, seq 8
          00 01 0000                          // genlmsghdr: WG_CMD_GET_DEVICE (0), WG_GENL_VERSION 1
          0800 0100 05000000                  // WGDEVICE_A_IFINDEX (1) 5
        `),
      ),
    );
    expect(toHex(buildGetWgDeviceByName(9, WG_FAMILY, "wg0"))).toBe(toHex(msg({ type: WG_FAMILY, flags: 0x301, seq: 9 }, genl(0, 1), attr(2, cstr("wg0")))));
  });

  const device = () =>
    single(
      msg(
        { type: WG_FAMILY, flags: 0x2, seq: 8 }, // NLM_F_MULTI
        genl(0, 1),
        attr(6, le16(51820)), // WGDEVICE_A_LISTEN_PORT u16
        attr(7, le32(0x20)), // WGDEVICE_A_FWMARK u32
        attr(1, le32(5)), // WGDEVICE_A_IFINDEX
        attr(2, cstr("wg0")), // WGDEVICE_A_IFNAME
        attr(3, new Array(32).fill(0x77)), // WGDEVICE_A_PRIVATE_KEY: a secret, never decoded
        attr(4, KEY_A), // WGDEVICE_A_PUBLIC_KEY
        nest(
          8, // WGDEVICE_A_PEERS
          nest(
            0,
            attr(1, KEY_B), // WGPEER_A_PUBLIC_KEY
            attr(2, new Array(32).fill(0)), // WGPEER_A_PRESHARED_KEY: all zero, none
            attr(6, le64(1_700_000_000), le64(123)), // WGPEER_A_LAST_HANDSHAKE_TIME struct __kernel_timespec
            attr(5, le16(25)), // WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL u16
            attr(8, le64(4096)), // WGPEER_A_TX_BYTES u64
            attr(7, le64(8192)), // WGPEER_A_RX_BYTES u64
            attr(10, le32(1)), // WGPEER_A_PROTOCOL_VERSION
            attr(4, sockaddrIn("198.51.100.7", 51820)), // WGPEER_A_ENDPOINT
            nest(9, allowed(2, ip4("10.0.0.0"), 24), allowed(10, ip6("fd00:0000:0000:0000:0000:0000:0000:0000"), 64)), // WGPEER_A_ALLOWEDIPS
          ),
          nest(0, attr(1, KEY_C), attr(2, new Array(32).fill(9)), attr(6, le64(0), le64(0)), attr(5, le16(0)), attr(8, le64(0)), attr(7, le64(0)), attr(10, le32(1))),
        ),
      ),
    );

  test("a device: keys in base64, endpoint, allowed IPs, handshake, traffic; no private key", () => {
    const d = decodeWgDevice(device(), WG_FAMILY);
    // wg show wg0: public key, listening port 51820, fwmark 0x20; peer B: preshared key (hidden),
    // endpoint 198.51.100.7:51820, allowed ips 10.0.0.0/24, fd00::/64, persistent keepalive every 25 seconds
    expect(d).toEqual({
      ifindex: 5,
      ifname: "wg0",
      publicKey: B64_A,
      listenPort: 51820,
      fwmark: 0x20,
      peers: [
        {
          publicKey: B64_B,
          hasPresharedKey: false,
          endpoint: { address: "198.51.100.7", port: 51820 },
          persistentKeepalive: 25,
          lastHandshake: 1_700_000_000,
          rxBytes: 8192n,
          txBytes: 4096n,
          protocolVersion: 1,
          allowedIps: [
            { address: "10.0.0.0", prefixLength: 24 },
            { address: "fd00::", prefixLength: 64 },
          ],
        },
        { publicKey: B64_C, hasPresharedKey: true, persistentKeepalive: 0, lastHandshake: 0, rxBytes: 0n, txBytes: 0n, protocolVersion: 1, allowedIps: [] },
      ],
    });
    expect(JSON.stringify(d, (_, v) => (typeof v === "bigint" ? String(v) : v))).not.toContain(btoa(String.fromCharCode(...new Array(32).fill(0x77))));
  });

  test("a device split over messages: the peer that continues is merged, a new peer follows", () => {
    const first = decodeWgDevice(device(), WG_FAMILY);
    // The next message carries only WGDEVICE_A_PEERS: peer C again (public key only) with the
    // allowed IPs that did not fit, then a new peer with an IPv6 endpoint.
    const next = decodeWgDevice(
      single(
        msg(
          { type: WG_FAMILY, flags: 0x2, seq: 8 },
          genl(0, 1),
          nest(
            8,
            nest(0, attr(1, KEY_C), nest(9, allowed(2, ip4("192.0.2.0"), 25))),
            nest(0, attr(1, KEY_A), attr(4, sockaddrIn6("2001:0db8:0000:0000:0000:0000:0000:0001", 443)), nest(9, allowed(10, ip6("0000:0000:0000:0000:0000:0000:0000:0000"), 0))),
          ),
        ),
      ),
      WG_FAMILY,
    );
    expect(next.ifindex).toBeUndefined();
    const merged = mergeWgDevice([first, next]);
    expect(merged.ifname).toBe("wg0");
    expect(merged.peers.map((p) => p.publicKey)).toEqual([B64_B, B64_C, B64_A]);
    expect(merged.peers[1]).toMatchObject({ hasPresharedKey: true, allowedIps: [{ address: "192.0.2.0", prefixLength: 25 }] });
    expect(merged.peers[2]).toEqual({ publicKey: B64_A, endpoint: { address: "2001:db8::1", port: 443 }, allowedIps: [{ address: "::", prefixLength: 0 }] });
    // The parts are not changed by merging.
    expect(first.peers[1]!.allowedIps).toEqual([]);
  });

  test("malformed parts are errors, not guesses", () => {
    const withPeer = (...peerAttrs: number[][]) => () => decodeWgDevice(single(msg({ type: WG_FAMILY }, genl(0, 1), nest(8, nest(0, ...peerAttrs)))), WG_FAMILY);
    expect(withPeer(attr(1, KEY_B.slice(0, 31)))).toThrow(/32 bytes/);
    expect(withPeer(attr(2, KEY_B))).toThrow(/WGPEER_A_PUBLIC_KEY/);
    expect(withPeer(attr(1, KEY_B), nest(9, allowed(2, ip4("10.0.0.0"), 33)))).toThrow(/too long/);
    expect(withPeer(attr(1, KEY_B), nest(9, allowed(2, ip6("fd00:0000:0000:0000:0000:0000:0000:0000"), 8)))).toThrow(/needs 4 bytes/);
    expect(withPeer(attr(1, KEY_B), attr(4, [2, 0, 0, 80]))).toThrow(/sockaddr/);
    expect(() => decodeWgDevice(single(msg({ type: WG_FAMILY + 1 }, genl(0, 1))), WG_FAMILY)).toThrow(NetlinkDecodeError);
  });
});
