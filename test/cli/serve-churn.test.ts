// Two `wiresight serve` (compiled) watching the same host while namespaces come and go: neither
// may keep a namespace alive that the other holds on to, nor pin a bind mount. Each namespace of
// the churn is joined to a persistent one by a veth pair: the kernel destroys the pair only with
// the namespace, so the peer vanishing from the persistent namespace is the proof that nothing
// (of either server) keeps the deleted namespace alive. Some are deleted by `ip netns del`, one
// per round by a plain `umount` of its bind mount (EBUSY if any fd were open on it).

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Lab, requireRoot, sh } from "../helpers/lab.ts";
import { namespaceHolders, plainUmount } from "../helpers/mount-holders.ts";

const built = join(import.meta.dir, "../../dist/wiresight");
const root = requireRoot();
const lab = new Lab();
const dir = mkdtempSync(join(tmpdir(), "wiresight-churn-"));
const servers: { child: ChildProcess; url: string; stderr: () => string }[] = [];
let persistent = "";

async function startServe(name: string, extra: string[]) {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(built, ["serve", "--listen", `127.0.0.1:${port}`, "--db", join(dir, `${name}.db`), ...extra], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  for (let i = 0; !stderr.includes("listening on"); i++) {
    if (i > 1200 || child.exitCode !== null) throw new Error(`serve ${name} did not start: ${stderr}`);
    await Bun.sleep(100);
  }
  servers.push({ child, url: `http://127.0.0.1:${port}`, stderr: () => stderr });
}

async function namesSeenBy(url: string): Promise<Set<string>> {
  const res = await fetch(`${url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ topology { namespaces { displayName } } }" }) });
  const body = (await res.json()) as { data: { topology: { namespaces: { displayName: string }[] } } };
  return new Set(body.data.topology.namespaces.map((n) => n.displayName));
}

async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(100);
  }
}

/** A process's fds on network namespaces, but for its threads' handles on its own one. */
function namespaceFds(pid: number): string[] {
  const initial = readlinkSync(`/proc/${pid}/ns/net`); // where its threads switch back to
  return readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
    try {
      const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      return link.startsWith("net:[") && link !== initial ? [`${fd} -> ${link}`] : link.startsWith("/run/netns/") ? [`${fd} -> ${link}`] : [];
    } catch {
      return [];
    }
  });
}

const seesAll = (seen: Set<string>, names: string[]) => names.every((n) => seen.has(n));
const seesNone = (seen: Set<string>, names: string[]) => names.every((n) => !seen.has(n));
const peersIn = (ns: string): string[] => (JSON.parse(lab.ip(ns, "-j", "link", "show")) as { ifname: string }[]).map((l) => l.ifname).filter((n) => n.startsWith("k"));

beforeAll(async () => {
  if (!root) return;
  if (!existsSync(built)) throw new Error("dist/wiresight is missing: run `npm run build` (npm test does it first)");
  persistent = lab.netns("keep");
  await startServe("one", ["--workers", "1"]);
  await startServe("two", []);
}, 180_000);

afterAll(async () => {
  for (const s of servers) s.child.kill("SIGTERM");
  await Promise.all(servers.map((s) => new Promise((r) => (s.child.exitCode !== null ? r(null) : s.child.on("exit", r)))));
  lab.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe.if(root)("two servers and namespace churn", () => {
  test("deleted namespaces are destroyed while both watch them; a plain umount works", async () => {
    for (let round = 0; round < 3; round++) {
      const made: string[] = [];
      const inodes = new Map<string, number>();
      for (let i = 0; i < 4; i++) {
        const ns = lab.netns(`r${round}n${i}`);
        lab.ip(null, "link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name", `k${round}n${i}`, "netns", persistent);
        made.push(ns);
        inodes.set(`k${round}n${i}`, statSync(`/run/netns/${ns}`).ino);
      }
      // Both servers have taken them up (each holds an event socket in every one of them).
      for (const s of servers) await eventually(async () => seesAll(await namesSeenBy(s.url), made), `${s.url} to see round ${round}`);
      expect(peersIn(persistent).filter((n) => n.startsWith(`k${round}`)).length).toBe(4);

      const [plain, ...rest] = made;
      // A plain umount fails with EBUSY while any fd is open on the mount (the servers': never).
      if (plainUmount(`/run/netns/${plain}`, servers.map((s) => s.child.pid!))) sh("rm", [`/run/netns/${plain}`]);
      else rest.push(plain!); // held by some other program here: deleted like the others
      for (const ns of rest) sh("ip", ["netns", "del", ns]);
      for (const ns of made) lab.forgetNetns(ns);

      // Nothing keeps them alive: the kernel destroys them, and their veth peers with them —
      // unless some other program on this machine holds one (then it is not ours to check).
      const serverPids = servers.map((s) => s.child.pid!);
      const left = () => peersIn(persistent).filter((n) => n.startsWith(`k${round}`));
      const foreign = (peer: string) => {
        const holders = namespaceHolders(inodes.get(peer)!);
        return holders.length > 0 && !holders.some((pid) => serverPids.includes(pid));
      };
      await eventually(() => left().every(foreign), `round ${round}'s namespaces to be destroyed`);
      for (const peer of left()) console.warn(`${peer}'s namespace is held by another program on this machine (pid ${namespaceHolders(inodes.get(peer)!).join(", ")}), not by the servers`);
      for (const pid of serverPids) expect(namespaceFds(pid)).toEqual([]);
      for (const s of servers) await eventually(async () => seesNone(await namesSeenBy(s.url), made), `${s.url} to drop round ${round}`);
    }
    for (const s of servers) expect(s.child.exitCode).toBeNull();
  }, 300_000);
});
