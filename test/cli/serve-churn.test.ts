// Two `wiresight serve` (compiled) watching the same host while namespaces come and go: neither
// may keep a namespace alive that the other holds on to, nor pin a bind mount. Each namespace of
// the churn is joined to a persistent one by a veth pair: the kernel destroys the pair only with
// the namespace, so the peer vanishing from the persistent namespace is the proof that nothing
// (of either server) keeps the deleted namespace alive. Some are deleted by `ip netns del`, one
// per round by a plain `umount` of its bind mount (EBUSY if any fd were open on it).

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Lab, requireRoot, sh } from "../helpers/lab.ts";

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
      for (let i = 0; i < 4; i++) {
        const ns = lab.netns(`r${round}n${i}`);
        lab.ip(null, "link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name", `k${round}n${i}`, "netns", persistent);
        made.push(ns);
      }
      // Both servers have taken them up (each holds an event socket in every one of them).
      for (const s of servers) await eventually(async () => seesAll(await namesSeenBy(s.url), made), `${s.url} to see round ${round}`);
      expect(peersIn(persistent).filter((n) => n.startsWith(`k${round}`)).length).toBe(4);

      const [plain, ...rest] = made;
      const umount = Bun.spawnSync(["umount", `/run/netns/${plain}`], { stderr: "pipe" });
      expect(umount.stderr.toString()).toBe("");
      expect(umount.exitCode).toBe(0);
      sh("rm", [`/run/netns/${plain}`]);
      for (const ns of rest) sh("ip", ["netns", "del", ns]);
      for (const ns of made) lab.forgetNetns(ns);

      // Nothing keeps them alive: the kernel destroys them, and their veth peers with them.
      await eventually(() => peersIn(persistent).every((n) => !n.startsWith(`k${round}`)), `round ${round}'s namespaces to be destroyed`);
      for (const s of servers) await eventually(async () => seesNone(await namesSeenBy(s.url), made), `${s.url} to drop round ${round}`);
    }
    for (const s of servers) expect(s.child.exitCode).toBeNull();
  }, 300_000);
});
