// Epoll over netlink sockets: nothing ready → empty (never blocks); a queued reply makes exactly
// its socket ready, reported with the id it was added under; removed sockets are not reported;
// closing leaks nothing.
import { describe, expect, test } from "bun:test";
import { EPOLLIN, Epoll, NETLINK_ROUTE, NetlinkSocket } from "../../src/ffi/index.ts";
import { fdCount } from "./helpers.ts";

/** RTM_GETLINK dump request (hand-written: ffi tests must not depend on the codec). */
function linkDump(seq: number): Uint8Array {
  const b = new Uint8Array(32);
  const v = new DataView(b.buffer);
  v.setUint32(0, 32, true); // nlmsg_len
  v.setUint16(4, 18, true); // RTM_GETLINK
  v.setUint16(6, 0x1 | 0x300, true); // NLM_F_REQUEST | NLM_F_DUMP
  v.setUint32(8, seq, true);
  return b; // struct ifinfomsg of zeros follows the 16-byte header
}

describe("Epoll", () => {
  test("reports exactly the ready sockets, by id, without blocking", () => {
    const before = fdCount();
    const ep = Epoll.create(4);
    const a = NetlinkSocket.open(NETLINK_ROUTE, { nonblocking: true });
    const b = NetlinkSocket.open(NETLINK_ROUTE, { nonblocking: true });
    ep.add(a.fd, EPOLLIN, 7);
    ep.add(b.fd, EPOLLIN, 0xfffffffe);
    expect(ep.wait(0)).toEqual([]);
    b.send(linkDump(1));
    const ready = ep.wait(1000);
    expect(ready.map((r) => r.id)).toEqual([0xfffffffe]);
    expect(ready[0]!.events & EPOLLIN).toBe(EPOLLIN);
    while (b.recvNonBlocking() !== null) {}
    expect(ep.wait(0)).toEqual([]);
    ep.remove(b.fd);
    b.send(linkDump(2));
    expect(ep.wait(0)).toEqual([]);
    expect(() => ep.add(a.fd, EPOLLIN, -1)).toThrow(RangeError);
    expect(() => ep.add(a.fd, EPOLLIN, 8)).toThrow(/EEXIST/);
    a.close();
    b.close();
    ep.close();
    ep.close();
    expect(() => ep.wait(0)).toThrow(/closed/);
    expect(fdCount()).toBe(before);
  });
});
