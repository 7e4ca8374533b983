import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import {
  NETLINK_ROUTE,
  NetlinkSocket,
  NetlinkTruncatedError,
  SOL_SOCKET,
  SO_RCVBUF,
  SyscallError,
  closeQuietly,
  getsockoptInt,
  openFile,
  threadNetnsInode,
  withNetns,
} from "../../src/ffi/index.ts";
import { errno, libc } from "../../src/ffi/libc.ts";
import { IS_ROOT, createTestNetns, deleteTestNetns, dumpLinkNames, getLinkDumpRequest, ipIn, rootTest } from "./helpers.ts";

const NLMSG_ERROR = 2;
const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const RTNLGRP_LINK = 1;

function header(bytes: Uint8Array, off = 0) {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { len: v.getUint32(off, true), type: v.getUint16(off + 4, true), seq: v.getUint32(off + 8, true), pid: v.getUint32(off + 12, true) };
}

function cloexec(fd: number): boolean {
  const flags = /flags:\s+([0-7]+)/.exec(readFileSync(`/proc/self/fdinfo/${fd}`, "utf8"))![1]!;
  return (parseInt(flags, 8) & 0o2000000) !== 0;
}

describe("NetlinkSocket in this namespace", () => {
  test("open: bound, port id known, close-on-exec, sized", () => {
    using sock = NetlinkSocket.open(NETLINK_ROUTE);
    expect(sock.fd).toBeGreaterThan(2);
    expect(sock.portId).toBeGreaterThan(0);
    expect(cloexec(sock.fd)).toBe(true);
    // The kernel reports twice the value set (bookkeeping overhead). Without CAP_NET_ADMIN the
    // request is capped at net.core.rmem_max, so only assert the forced size as root.
    const rcvbuf = getsockoptInt(sock.fd, SOL_SOCKET, SO_RCVBUF);
    if (IS_ROOT) expect(rcvbuf).toBe(2 * 1024 * 1024);
    else expect(rcvbuf).toBeGreaterThan(0);
  });

  test("rcvbuf below 32 KiB is raised to 32 KiB", () => {
    using sock = NetlinkSocket.open(NETLINK_ROUTE, { rcvbuf: 1000 });
    expect(getsockoptInt(sock.fd, SOL_SOCKET, SO_RCVBUF)).toBe(2 * 32 * 1024);
  });

  test("a hand-written RTM_GETLINK dump lists lo", () => {
    using sock = NetlinkSocket.open(NETLINK_ROUTE);
    const names = dumpLinkNames(sock, 42);
    expect(names).toContain("lo");
    // The socket is reusable: a second dump on it works the same.
    expect(dumpLinkNames(sock, 43)).toEqual(names);
  });

  test("send honours the byte offset of a subarray", () => {
    using sock = NetlinkSocket.open(NETLINK_ROUTE);
    const big = new Uint8Array(100).fill(0xee);
    big.set(getLinkDumpRequest(7), 40);
    sock.send(big.subarray(40, 72));
    const first = header(sock.recv());
    expect(first.seq).toBe(7);
    expect(first.type).toBe(RTM_NEWLINK);
    expect(first.pid).toBe(sock.portId);
  });

  test("recvNonBlocking: null when nothing is queued, data when something is", () => {
    using sock = NetlinkSocket.open(NETLINK_ROUTE);
    expect(sock.recvNonBlocking()).toBeNull();
    sock.send(getLinkDumpRequest(9)); // rtnetlink fills the first dump datagram during send
    const got = sock.recvNonBlocking();
    expect(got).not.toBeNull();
    expect(header(got!).seq).toBe(9);
  });

  test("nonblocking sockets throw EAGAIN from recv() when empty", () => {
    using sock = NetlinkSocket.open(NETLINK_ROUTE, { nonblocking: true });
    let err: unknown;
    try {
      sock.recv();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SyscallError);
    expect((err as SyscallError).code).toBe("EAGAIN");
    expect((err as SyscallError).syscall).toBe("recvfrom");
  });

  test("a datagram larger than the 64 KiB buffer arrives whole (peek, grow, read)", () => {
    using sock = NetlinkSocket.open(NETLINK_ROUTE);
    // A non-dump RTM_GETLINK with 100 KiB of junk attributes: the kernel rejects it and, as
    // NETLINK_CAP_ACK is not set, echoes the whole request inside NLMSG_ERROR.
    const size = 100 * 1024;
    const req = new Uint8Array(size);
    const v = new DataView(req.buffer);
    v.setUint32(0, size, true);
    v.setUint16(4, RTM_GETLINK, true);
    v.setUint16(6, 0x1 | 0x4, true); // NLM_F_REQUEST | NLM_F_ACK
    v.setUint32(8, 77, true);
    req.fill(0xff, 32); // unparseable attributes
    sock.send(req);
    const reply = sock.recv();
    expect(reply.byteLength).toBeGreaterThan(size);
    const h = header(reply);
    expect(h.type).toBe(NLMSG_ERROR);
    expect(h.seq).toBe(77);
    expect(h.len).toBe(reply.byteLength);
    const error = new DataView(reply.buffer, reply.byteOffset).getInt32(16, true);
    expect(error).toBeLessThan(0);
    // and the request really is echoed intact after the error code
    expect(reply.subarray(20, 20 + size)).toEqual(req);
    // The grown buffer keeps working for ordinary traffic.
    expect(dumpLinkNames(sock, 78)).toContain("lo");
  });

  test("recvDatagram reads in one call; an overlong datagram is reported, not silently cut, and the buffer grows", () => {
    using sock = NetlinkSocket.open(NETLINK_ROUTE, { recvBuffer: 64 });
    sock.send(getLinkDumpRequest(90));
    let truncated: NetlinkTruncatedError | undefined;
    try {
      sock.recvDatagram();
    } catch (e) {
      truncated = e as NetlinkTruncatedError;
    }
    expect(truncated).toBeInstanceOf(NetlinkTruncatedError);
    expect(truncated!.bufferLength).toBe(64);
    expect(truncated!.datagramLength).toBeGreaterThan(64); // lo alone is a few hundred bytes
    // Drain the rest of that dump (it may already be over), then ask again: it now fits.
    while (sock.recvNonBlocking() !== null);
    sock.send(getLinkDumpRequest(91));
    const first = sock.recvDatagram();
    expect(header(first).seq).toBe(91);
    expect(header(first).type).toBe(RTM_NEWLINK);
  });

  test("a closed socket's receive buffer serves the next socket; releaseBuffer keeps a socket usable", () => {
    const a = NetlinkSocket.open(NETLINK_ROUTE);
    a.send(getLinkDumpRequest(92));
    const bufferOfA = a.recv().buffer;
    a.close();
    using b = NetlinkSocket.open(NETLINK_ROUTE);
    b.send(getLinkDumpRequest(93));
    const got = b.recv();
    expect(got.buffer).toBe(bufferOfA); // reused, not a fresh 64 KiB
    expect(header(got).seq).toBe(93);
    while (b.recvNonBlocking() !== null);
    b.releaseBuffer();
    expect(dumpLinkNames(b, 94)).toContain("lo");
  });

  // Sending to a user port id needs CAP_NET_ADMIN over the socket's netns — which a container's
  // root has over its own namespace, where discovery opens sockets. Hence root to test it.
  rootTest("connected to the kernel: another socket cannot inject datagrams (an unconnected one could)", () => {
    using victim = NetlinkSocket.open(NETLINK_ROUTE);
    using attacker = NetlinkSocket.open(NETLINK_ROUTE);
    const fake = getLinkDumpRequest(1);
    const sendTo = (portId: number): number => {
      const to = new Uint8Array(12);
      new DataView(to.buffer).setUint16(0, 16, true); // AF_NETLINK
      new DataView(to.buffer).setUint32(4, portId, true);
      const n = Number(libc.sendto(attacker.fd, fake, fake.byteLength, 0, to, 12));
      return n < 0 ? -errno() : n;
    };
    expect(sendTo(victim.portId)).toBe(-111); // ECONNREFUSED
    expect(victim.recvNonBlocking()).toBeNull();

    // Control: a plain bound, unconnected netlink socket does accept the forged datagram.
    const raw = libc.socket(16, 3 | 0x80000, NETLINK_ROUTE);
    try {
      const sa = new Uint8Array(12);
      new DataView(sa.buffer).setUint16(0, 16, true);
      expect(libc.bind(raw, sa, 12)).toBe(0);
      const len = new Uint32Array([12]);
      expect(libc.getsockname(raw, sa, len)).toBe(0);
      expect(sendTo(new DataView(sa.buffer).getUint32(4, true))).toBe(fake.byteLength);
    } finally {
      closeQuietly(raw);
    }
  });

  test("close is idempotent, the socket refuses use afterwards, and `using` closes it", () => {
    const sock = NetlinkSocket.open(NETLINK_ROUTE);
    const fd = sock.fd;
    sock.close();
    sock.close();
    expect(sock.fd).toBe(-1);
    expect(sock.closed).toBe(true);
    expect(() => sock.send(getLinkDumpRequest(1))).toThrow("closed");
    expect(() => sock.recv()).toThrow("closed");
    expect(() => sock.netnsCookie()).toThrow("closed");
    expect(() => readFileSync(`/proc/self/fdinfo/${fd}`)).toThrow(); // really closed

    let inner = -1;
    {
      using s = NetlinkSocket.open(NETLINK_ROUTE);
      inner = s.fd;
      expect(cloexec(inner)).toBe(true);
    }
    expect(() => readFileSync(`/proc/self/fdinfo/${inner}`)).toThrow();
  });

  test("send refuses an empty datagram; an unknown protocol fails with a SyscallError", () => {
    using sock = NetlinkSocket.open(NETLINK_ROUTE);
    expect(() => sock.send(new Uint8Array(0))).toThrow(RangeError);
    let err: unknown;
    try {
      NetlinkSocket.open(31);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SyscallError);
    expect((err as SyscallError).syscall).toBe("socket");
    expect((err as SyscallError).code).toBe("EPROTONOSUPPORT");
  });
});

describe("NetlinkSocket in a test namespace", () => {
  let ns = "";
  let nsFd = -1;

  beforeAll(() => {
    if (!IS_ROOT) return;
    ns = createTestNetns();
    nsFd = openFile(`/run/netns/${ns}`);
  });
  afterAll(() => {
    closeQuietly(nsFd);
    deleteTestNetns(ns);
  });

  rootTest("a socket opened inside sees only that namespace's lo", () => {
    const original = threadNetnsInode();
    using viaWith = withNetns(nsFd, () => NetlinkSocket.open(NETLINK_ROUTE));
    using viaFd = NetlinkSocket.open(NETLINK_ROUTE, { netnsFd: nsFd });
    expect(dumpLinkNames(viaWith)).toEqual(["lo"]);
    expect(dumpLinkNames(viaFd)).toEqual(["lo"]);
    expect(threadNetnsInode()).toBe(original);
  });

  rootTest("addMembership(RTNLGRP_LINK) and bind groups deliver link notifications", () => {
    using byMembership = NetlinkSocket.open(NETLINK_ROUTE, { netnsFd: nsFd });
    byMembership.addMembership(RTNLGRP_LINK);
    using byBind = NetlinkSocket.open(NETLINK_ROUTE, { netnsFd: nsFd, groups: 1 << (RTNLGRP_LINK - 1) });
    using unsubscribed = NetlinkSocket.open(NETLINK_ROUTE, { netnsFd: nsFd });
    ipIn(ns, "link", "add", "wsn0", "type", "veth", "peer", "name", "wsn1");
    let deleted = false;
    try {
      for (const sock of [byMembership, byBind]) {
        const got = sock.recvNonBlocking();
        expect(got).not.toBeNull();
        const h = header(got!);
        expect(h.type).toBe(RTM_NEWLINK);
        expect(h.pid).toBe(0); // from the kernel
      }
      expect(unsubscribed.recvNonBlocking()).toBeNull();

      byMembership.dropMembership(RTNLGRP_LINK);
      while (byMembership.recvNonBlocking() !== null); // what was queued before the drop
      while (byBind.recvNonBlocking() !== null);
      ipIn(ns, "link", "del", "wsn0");
      deleted = true;
      expect(byMembership.recvNonBlocking()).toBeNull();
      const types: number[] = [];
      for (let got = byBind.recvNonBlocking(); got !== null; got = byBind.recvNonBlocking()) types.push(header(got).type);
      expect(types).toContain(17); // RTM_DELLINK, still seen by the socket that kept its group
    } finally {
      if (!deleted) ipIn(ns, "link", "del", "wsn0");
    }
  });
});
