// Shared test helpers for src/ffi: root gating, throwaway network namespaces, fd counting, and a
// hand-written RTM_GETLINK dump (the codec lives in src/netlink; these tests must not depend on it).

import { test } from "bun:test";
import { readdirSync, readlinkSync } from "node:fs";
import { randomBytes } from "node:crypto";
import type { NetlinkSocket } from "../../src/ffi/index.ts";

export const IS_ROOT = process.getuid?.() === 0;
export const IS_CI = process.env.CI === "true";

let warned = false;
/**
 * A test that needs root. As root it runs. Without root it FAILS under CI=true (a skipped
 * privileged suite must not pass CI silently) and is skipped, with a visible reason, elsewhere.
 */
export function rootTest(name: string, fn: () => void | Promise<void>): void {
  if (IS_ROOT) {
    test(name, fn);
  } else if (IS_CI) {
    test(name, () => {
      throw new Error(`"${name}" needs root (network namespaces, setns); CI=true, so this fails instead of skipping`);
    });
  } else {
    if (!warned) {
      console.warn("test/ffi: not root — tests that create network namespaces or call setns are SKIPPED");
      warned = true;
    }
    test.skip(`${name} [skipped: needs root]`, fn);
  }
}

function run(cmd: string[]): void {
  const r = Bun.spawnSync(cmd, { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")} failed (${r.exitCode}): ${r.stderr.toString().trim()}`);
}

/** Network namespaces created by this test process, deleted by deleteTestNetns. */
const created = new Set<string>();

/** `ip netns add ws-ffi-<random>`: a fresh namespace with only `lo` (down). Returns its name. */
export function createTestNetns(): string {
  const name = `ws-ffi-${randomBytes(5).toString("hex")}`;
  run(["ip", "netns", "add", name]);
  created.add(name);
  return name;
}

/** Delete a namespace made by createTestNetns; safe to call twice or for one never created. */
export function deleteTestNetns(name: string): void {
  if (!created.delete(name)) return;
  Bun.spawnSync(["ip", "netns", "del", name], { stdout: "ignore", stderr: "ignore" });
}

/** Run `ip -n <ns> ...`. */
export function ipIn(ns: string, ...args: string[]): void {
  run(["ip", "-n", ns, ...args]);
}

// Last resort if a test file dies before its afterAll: leave no namespaces behind.
process.on("exit", () => {
  for (const name of [...created]) deleteTestNetns(name);
});

/**
 * Number of open fds of this process, after a full GC: the runtime closes some of its own fds
 * (e.g. of finished subprocesses) from finalizers, which would otherwise make the count drift.
 */
export function fdCount(): number {
  Bun.gc(true);
  return readdirSync("/proc/self/fd").length;
}

/** fd number -> what it points to, after a full GC (see fdCount). */
export function fdTable(): Map<number, string> {
  Bun.gc(true);
  const table = new Map<number, string>();
  for (const name of readdirSync("/proc/self/fd")) {
    try {
      table.set(Number(name), readlinkSync(`/proc/self/fd/${name}`));
    } catch {
      // the fd readdir itself used, already closed
    }
  }
  return table;
}

/** fds open now that were not open in `before` (each one a leak), with their targets. */
export function newFds(before: Map<number, string>): string[] {
  const out: string[] = [];
  for (const [fd, target] of fdTable()) if (before.get(fd) !== target) out.push(`${fd} -> ${target}`);
  return out;
}

const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const NLM_F_REQUEST = 0x1;
const NLM_F_DUMP = 0x300;
const IFLA_IFNAME = 3;

/** nlmsghdr (16 bytes) + ifinfomsg (16 bytes, all zero = every family, every link). */
export function getLinkDumpRequest(seq: number): Uint8Array {
  const req = new Uint8Array(32);
  const v = new DataView(req.buffer);
  v.setUint32(0, 32, true); // nlmsg_len
  v.setUint16(4, RTM_GETLINK, true); // nlmsg_type
  v.setUint16(6, NLM_F_REQUEST | NLM_F_DUMP, true); // 0x301
  v.setUint32(8, seq, true); // nlmsg_seq
  v.setUint32(12, 0, true); // nlmsg_pid: 0, the kernel fills in our port id
  return req;
}

/** Send an RTM_GETLINK dump and return every interface name, reading until NLMSG_DONE. */
export function dumpLinkNames(sock: NetlinkSocket, seq = 1): string[] {
  sock.send(getLinkDumpRequest(seq));
  const names: string[] = [];
  for (;;) {
    const data = sock.recv();
    const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
    for (let off = 0; off + 16 <= data.byteLength; ) {
      const len = v.getUint32(off, true);
      const type = v.getUint16(off + 4, true);
      const msgSeq = v.getUint32(off + 8, true);
      const pid = v.getUint32(off + 12, true);
      if (len < 16 || off + len > data.byteLength) throw new Error(`bad nlmsghdr at ${off}: len ${len}`);
      if (msgSeq === seq) {
        if (pid !== sock.portId) throw new Error(`reply addressed to port ${pid}, ours is ${sock.portId}`);
        if (type === NLMSG_DONE) return names;
        if (type === NLMSG_ERROR) throw new Error(`NLMSG_ERROR ${v.getInt32(off + 16, true)}`);
        if (type === RTM_NEWLINK) {
          // rtattrs follow nlmsghdr (16) + ifinfomsg (16); each is {u16 len, u16 type, data}, 4-aligned.
          for (let a = off + 32; a + 4 <= off + len; ) {
            const alen = v.getUint16(a, true);
            if (alen < 4) break;
            if (v.getUint16(a + 2, true) === IFLA_IFNAME) {
              const raw = data.subarray(a + 4, a + alen);
              const nul = raw.indexOf(0);
              names.push(new TextDecoder().decode(nul < 0 ? raw : raw.subarray(0, nul)));
            }
            a += (alen + 3) & ~3;
          }
        }
      }
      off += (len + 3) & ~3;
    }
  }
}
