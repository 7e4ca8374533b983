// The dump loop (src/discovery/netlink-request.ts) reads each datagram with one recvfrom and no
// size peek. A datagram longer than the receive buffer is then lost; the loop must notice, drain
// what is left of that dump without blocking, and repeat the dump with the grown buffer, so the
// result is still complete. A socket with a tiny buffer makes that happen on demand; iproute2
// is the oracle for what the complete answer is.

import { afterAll, describe, expect, test } from "bun:test";
import { NETLINK_ROUTE, NetlinkSocket, closeQuietly, openFile } from "../../src/ffi/index.ts";
import { RTM_NEWADDR, RTM_NEWLINK, buildGetAddrDump, buildGetLinkDump, decodeAddress, decodeLink } from "../../src/netlink/index.ts";
import { dump } from "../../src/discovery/netlink-request.ts";
import { Lab, ipJsonIn, requireRoot } from "../helpers/lab.ts";

const root = requireRoot();
const lab = new Lab();
afterAll(() => lab.cleanup());

describe.if(root)("dump() with a receive buffer too small for the kernel's datagrams", () => {
  test("repeats the dump once the buffer has grown, and returns every link and address", () => {
    const ns = lab.netns("trunc");
    for (let i = 0; i < 12; i++) {
      lab.ip(ns, "link", "add", `a${i}`, "type", "veth", "peer", "name", `b${i}`);
      lab.ip(ns, "addr", "add", `10.9.${i}.1/24`, "dev", `a${i}`);
    }
    const fd = openFile(`/run/netns/${ns}`);
    try {
      using sock = NetlinkSocket.open(NETLINK_ROUTE, { netnsFd: fd, recvBuffer: 512 });
      const links = dump(sock, "RTM_GETLINK", buildGetLinkDump, (m) => (m.type === RTM_NEWLINK ? decodeLink(m) : undefined));
      expect(links.retries).toBeGreaterThanOrEqual(1);
      expect(links.interrupted).toBe(false);
      const oracle = ipJsonIn(`/run/netns/${ns}`, ["link", "show"]);
      expect(links.items.map((l) => l.ifname).sort()).toEqual(oracle.map((l) => l.ifname as string).sort());
      expect(links.items).toHaveLength(25); // lo + 12 pairs

      // The buffer has grown: the next dump needs no repetition, and nothing of the first is left over.
      const addrs = dump(sock, "RTM_GETADDR", (seq) => buildGetAddrDump(seq), (m) => (m.type === RTM_NEWADDR ? decodeAddress(m) : undefined));
      expect(addrs.retries).toBe(0);
      const v4 = addrs.items.filter((a) => a.family === 2 && a.address !== "127.0.0.1").map((a) => a.address);
      expect(v4.sort()).toEqual(Array.from({ length: 12 }, (_, i) => `10.9.${i}.1`).sort());
    } finally {
      closeQuietly(fd);
    }
  });
});
