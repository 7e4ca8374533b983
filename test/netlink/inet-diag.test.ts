// The sock_diag codec: requests byte for byte against what `ss` 6.1 sent on this machine
// (`strace -e trace=sendmsg -e write=3 ss -tuan`, with its sequence number 123456), and replies
// captured from Linux 6.18 (fixtures/capture-sockdiag.py) decoded and compared with what `ss
// -tuanepH` printed for the same sockets at the same moment.

import { describe, expect, test } from "bun:test";
import {
  AF_INET,
  AF_INET6,
  IPPROTO_TCP,
  IPPROTO_UDP,
  INET_DIAG_ALL_STATES,
  INET_DIAG_MSG_LEN,
  INET_DIAG_REQ_LEN,
  INET_DIAG_REQ_V2_LEN,
  INET_DIAG_SOCKID_LEN,
  INET_DIAG_TCP_LISTENING,
  INET_DIAG_UDP_UNCONNECTED,
  NLMSG_DONE,
  NetlinkDecodeError,
  SOCK_DIAG_BY_FAMILY,
  TCPDIAG_GETSOCK,
  buildInetDiagDump,
  buildTcpDiagCompatDump,
  decodeDone,
  decodeInetDiag,
  parseMessages,
  tcpStateName,
  type InetDiagSocket,
} from "../../src/netlink/index.ts";
import fixture from "./fixtures/sockdiag-6.18.json";
import { attr, hex, le16, le32, msg, toHex } from "./bytes.ts";
import { SS_STATE, parseSsLine, type SsSocket } from "../helpers/ss.ts";

type Compared = Omit<SsSocket, "pids">;

const SS_SEQ = 123456; // 0x0001e240

describe("SOCK_DIAG_BY_FAMILY requests", () => {
  test("every state, per family and protocol, as `ss -tuan` sends them", () => {
    const expected = (family: string, proto: string) =>
      hex(`
        48000000 1400 0103 40e20100 00000000 // len 72, SOCK_DIAG_BY_FAMILY (20), REQUEST|ROOT|MATCH, seq 123456
        ${family} ${proto} 00 00             // sdiag_family, sdiag_protocol, idiag_ext 0, pad
        ff0f0000                             // idiag_states: bits 0-11
        0000 0000                            // sport, dport
        00000000000000000000000000000000     // src
        00000000000000000000000000000000     // dst
        00000000 00000000 00000000           // if, cookie[2]
      `);
    expect(toHex(buildInetDiagDump(SS_SEQ, AF_INET, IPPROTO_UDP, INET_DIAG_ALL_STATES))).toBe(toHex(expected("02", "11")));
    expect(toHex(buildInetDiagDump(SS_SEQ, AF_INET6, IPPROTO_UDP, INET_DIAG_ALL_STATES))).toBe(toHex(expected("0a", "11")));
    expect(toHex(buildInetDiagDump(SS_SEQ, AF_INET, IPPROTO_TCP, INET_DIAG_ALL_STATES))).toBe(toHex(expected("02", "06")));
    expect(toHex(buildInetDiagDump(SS_SEQ, AF_INET6, IPPROTO_TCP, INET_DIAG_ALL_STATES))).toBe(toHex(expected("0a", "06")));
  });

  test("TCP of both families in one dump: TCPDIAG_GETSOCK with struct inet_diag_req (linux/inet_diag.h)", () => {
    // struct inet_diag_req { u8 family, src_len, dst_len, ext; struct inet_diag_sockid id; u32 states, dbs; }
    expect(INET_DIAG_REQ_LEN).toBe(4 + INET_DIAG_SOCKID_LEN + 4 + 4);
    expect(toHex(buildTcpDiagCompatDump(SS_SEQ, INET_DIAG_ALL_STATES))).toBe(
      toHex(
        hex(`
          4c000000 1200 0103 40e20100 00000000 // len 76, TCPDIAG_GETSOCK (18), REQUEST|ROOT|MATCH, seq 123456
          02 00 00 00                          // idiag_family AF_INET (ignored: served as AF_UNSPEC), src/dst len, ext
          0000 0000                            // sport, dport
          00000000000000000000000000000000     // src
          00000000000000000000000000000000     // dst
          00000000 00000000 00000000           // if, cookie[2]
          ff0f0000                             // idiag_states: bits 0-11
          00000000                             // idiag_dbs
        `),
      ),
    );
    expect(toHex(buildTcpDiagCompatDump(SS_SEQ, INET_DIAG_TCP_LISTENING).subarray(68, 72))).toBe("00040000");
  });

  test("a TCPDIAG_GETSOCK answer decodes like a SOCK_DIAG_BY_FAMILY one", () => {
    const hexes = Object.values(fixture.messages).flat() as string[];
    let checked = 0;
    for (const h of hexes) {
      for (const m of parseMessages(hex(h))) {
        if (m.type !== SOCK_DIAG_BY_FAMILY) continue;
        expect(decodeInetDiag({ ...m, type: TCPDIAG_GETSOCK })).toEqual(decodeInetDiag(m));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
    expect(() => decodeInetDiag({ type: 19, flags: 0, seq: 0, pid: 0, payload: new Uint8Array(INET_DIAG_MSG_LEN) })).toThrow(NetlinkDecodeError);
  });

  test("listening only: `ss -tn state listening` and `ss -un state close` send these masks", () => {
    const tcp = buildInetDiagDump(SS_SEQ, AF_INET, IPPROTO_TCP, INET_DIAG_TCP_LISTENING);
    expect(toHex(tcp.subarray(16, 24))).toBe("0206000000040000"); // 1 << TCP_LISTEN
    const udp = buildInetDiagDump(SS_SEQ, AF_INET6, IPPROTO_UDP, INET_DIAG_UDP_UNCONNECTED);
    expect(toHex(udp.subarray(16, 24))).toBe("0a11000080000000"); // 1 << TCP_CLOSE
  });

  test("struct sizes match the kernel's", () => {
    expect([INET_DIAG_SOCKID_LEN, INET_DIAG_REQ_V2_LEN, INET_DIAG_MSG_LEN]).toEqual([48, 56, 72]);
  });
});

// How ss would print what we decoded (misc/ss.c inet_addr_print: a v6 wildcard that is not
// v6-only prints as "*", the peer port 0 as "*").
function asSs(s: InetDiagSocket, netid: string): Compared {
  const wild = (a: string) => (s.family === AF_INET6 && a === "::" && s.v6only === false ? "*" : a);
  return {
    netid,
    state: SS_STATE[tcpStateName(s.state)]!,
    recvq: s.rqueue,
    sendq: s.wqueue,
    local: { address: wild(s.localAddress), port: s.localPort, device: s.boundInterface === 1 ? "lo" : s.boundInterface ? String(s.boundInterface) : null },
    peer: { address: wild(s.remoteAddress), port: s.remotePort },
    inode: s.inode,
    cookie: s.cookie,
    uid: s.uid,
    v6only: s.v6only ?? null,
  };
}

const messages = (name: keyof typeof fixture.messages) => fixture.messages[name].flatMap((h: string) => parseMessages(hex(h)));

describe("SOCK_DIAG_BY_FAMILY replies from Linux 6.18", () => {
  const decoded: Compared[] = [];
  const raw: InetDiagSocket[] = [];
  for (const [name, netid] of [["tcp4", "tcp"], ["tcp6", "tcp"], ["udp4", "udp"], ["udp6", "udp"]] as const) {
    const msgs = messages(name);
    for (const m of msgs) {
      if (m.type === NLMSG_DONE) expect(decodeDone(m).error).toBe(0);
      else {
        expect(m.type).toBe(SOCK_DIAG_BY_FAMILY);
        const s = decodeInetDiag(m);
        raw.push(s);
        decoded.push(asSs(s, netid));
      }
    }
  }
  const byCookie = (a: Compared, b: Compared) => (a.cookie < b.cookie ? -1 : 1);

  test("every socket ss printed, decoded with the same fields", () => {
    const ss = fixture.ss.map((l) => {
      const { pids: _, ...rest } = parseSsLine(l);
      return rest;
    });
    expect(ss.length).toBe(16);
    expect(decoded.sort(byCookie)).toEqual(ss.sort(byCookie));
  });

  test("the capture holds what the decoder must get right", () => {
    const states = new Set(raw.map((s) => tcpStateName(s.state)));
    for (const s of ["LISTEN", "ESTABLISHED", "TIME_WAIT", "CLOSE"]) expect(states).toContain(s);
    const tw = raw.find((s) => s.state === 6)!;
    expect(tw.inode).toBe(0);
    expect(tw.shutdown).toBeUndefined(); // TIME_WAIT sockets carry no attributes
    expect(raw.some((s) => s.family === AF_INET6 && s.localAddress === "::" && s.v6only === false)).toBe(true);
    expect(raw.some((s) => s.uid === 1000)).toBe(true);
    expect(raw.some((s) => s.localAddress === "::ffff:127.0.0.1")).toBe(true);
    // the kernel sends IPV6_V6ONLY for AF_INET6 sockets in LISTEN or CLOSE state only
    for (const s of raw) expect(s.v6only !== undefined).toBe(s.family === AF_INET6 && (s.state === 10 || s.state === 7));
  });
});

describe("decodeInetDiag on hand-built messages", () => {
  // struct inet_diag_msg, written field by field
  const body = (family: number, o: { cookieLo?: number; cookieHi?: number; sport?: number } = {}) => [
    family, 10, 0, 0, // family, state LISTEN, timer, retrans
    ...[(o.sport ?? 80) >> 8, (o.sport ?? 80) & 0xff], 0, 0, // sport, dport (network order)
    ...(family === 2 ? [192, 0, 2, 1, ...new Array(12).fill(0)] : [0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1]),
    ...new Array(16).fill(0), // dst
    ...le32(3), ...le32(o.cookieLo ?? 0), ...le32(o.cookieHi ?? 0), // if, cookie[0] (low), cookie[1] (high)
    ...le32(0), ...le32(1), ...le32(128), ...le32(1000), ...le32(4242), // expires, rqueue, wqueue, uid, inode
  ];

  test("a 64-bit cookie: cookie[1] is the high half", () => {
    const s = decodeInetDiag(parseMessages(msg({ type: 20 }, body(2, { cookieLo: 0x89abcdef, cookieHi: 0x01234567, sport: 8443 })))[0]!);
    expect(s.cookie).toBe(0x0123456789abcdefn);
    expect(s).toMatchObject({ family: 2, state: 10, localPort: 8443, localAddress: "192.0.2.1", remoteAddress: "0.0.0.0", boundInterface: 3, rqueue: 1, wqueue: 128, uid: 1000, inode: 4242 });
  });

  test("attributes: SHUTDOWN, SKV6ONLY, PROTOCOL, MARK, CGROUP_ID", () => {
    const m = msg({ type: 20 }, body(10), attr(8, [3]), attr(11, [1]), attr(10, [6]), attr(15, le32(7)), attr(21, le32(5), le32(1)));
    const s = decodeInetDiag(parseMessages(m)[0]!);
    expect(s).toMatchObject({ localAddress: "2001:db8::1", shutdown: 3, v6only: true, protocol: 6, mark: 7, cgroupId: 0x100000005n });
  });

  test("bad input is a NetlinkDecodeError that says what is wrong", () => {
    const short = msg({ type: 20 }, body(2).slice(0, 71));
    expect(() => decodeInetDiag(parseMessages(short)[0]!)).toThrow(/inet_diag_msg needs 72 bytes, got 71/);
    expect(() => decodeInetDiag(parseMessages(msg({ type: 20 }, body(7)))[0]!)).toThrow(/idiag_family 7/);
    expect(() => decodeInetDiag(parseMessages(msg({ type: 16 }, body(2)))[0]!)).toThrow(NetlinkDecodeError);
    const badAttr = msg({ type: 20 }, body(10), [...le16(4), ...le16(11)]); // SKV6ONLY with no byte
    expect(() => decodeInetDiag(parseMessages(badAttr)[0]!)).toThrow(/INET_DIAG_SKV6ONLY/);
  });
});
