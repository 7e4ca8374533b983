// Nothing leaks: 200 rounds of every operation src/ffi offers, successful and failing, leave the
// number of open fds of the process unchanged.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  AF_INET,
  NETLINK_ROUTE,
  NetlinkSocket,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  closeFd,
  closeQuietly,
  ethtoolDriverInfo,
  netnsCookie,
  openDatagramSocket,
  openFile,
  socketInNetns,
  withNetns,
} from "../../src/ffi/index.ts";
import { IS_ROOT, createTestNetns, deleteTestNetns, dumpLinkNames, fdCount, fdTable, newFds, rootTest } from "./helpers.ts";

const ROUNDS = 200;

function fails(fn: () => unknown): void {
  expect(fn).toThrow();
}

/** Operations that need no privilege. */
function unprivilegedRound(i: number): void {
  const f = openFile("/proc/self/stat");
  closeFd(f);
  fails(() => openFile("/nonexistent/wiresight"));
  fails(() => closeFd(987654));
  closeQuietly(987654);

  const sock = NetlinkSocket.open(NETLINK_ROUTE, { nonblocking: i % 2 === 0 });
  sock.netnsCookie();
  if (i % 20 === 0) {
    sock.close();
    const blocking = NetlinkSocket.open(NETLINK_ROUTE);
    dumpLinkNames(blocking, i + 1);
    blocking.close();
  }
  sock.close();
  sock.close();
  fails(() => NetlinkSocket.open(31)); // EPROTONOSUPPORT

  const d = openDatagramSocket();
  ethtoolDriverInfo(d, "lo");
  ethtoolDriverInfo(d, "ws-nope0");
  closeFd(d);
  fails(() => ethtoolDriverInfo(987654, "lo"));
  fails(() => withNetns(987654, () => 0)); // setns EBADF
  fails(() => socketInNetns(987654, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
}

describe("fd accounting", () => {
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

  test(`${ROUNDS} rounds of unprivileged operations, failing ones included, leak no fd`, () => {
    unprivilegedRound(0); // warm-up: lazily created state (modules, buffers) is not a leak
    const table = fdTable();
    const before = fdCount();
    for (let i = 0; i < ROUNDS; i++) unprivilegedRound(i);
    expect(newFds(table)).toEqual([]);
    expect(fdCount()).toBe(before);
  });

  rootTest(`${ROUNDS} rounds in and out of a namespace, failing ones included, leak no fd`, () => {
    const statFd = openFile("/proc/self/stat"); // not a namespace: setns EINVAL
    const round = (i: number) => {
      const s = NetlinkSocket.open(NETLINK_ROUTE, { netnsFd: nsFd });
      if (i % 20 === 0) dumpLinkNames(s, i + 1);
      s.close();
      const d = openDatagramSocket(AF_INET, nsFd);
      netnsCookie(d);
      ethtoolDriverInfo(d, "lo");
      closeFd(d);
      fails(() => socketInNetns(nsFd, 9999, SOCK_DGRAM | SOCK_CLOEXEC, 0)); // EAFNOSUPPORT inside
      fails(() => socketInNetns(statFd, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)); // EINVAL
      fails(() => withNetns(statFd, () => 0));
      if (i % 10 === 0) {
        // withNetns sparingly: hot JS under a switch can leave engine threads in the namespace
        // (not an fd leak, but see netns.ts); the fd accounting is the same either way.
        withNetns(nsFd, () => NetlinkSocket.open(NETLINK_ROUTE)).close();
        fails(() =>
          withNetns(nsFd, () => {
            throw new Error("inside");
          }),
        );
        fails(() => withNetns(nsFd, async () => 0));
        withNetns(nsFd, () => withNetns(nsFd, () => 0)); // nested: temporary way-back fd
      }
    };
    try {
      round(0);
      const table = fdTable();
      const before = fdCount();
      for (let i = 0; i < ROUNDS; i++) round(i);
      expect(newFds(table)).toEqual([]);
      expect(fdCount()).toBe(before);
    } finally {
      closeFd(statFd);
    }
  });
});
