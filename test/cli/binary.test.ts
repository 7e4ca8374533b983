// The compiled binary, as users run it: copied to an unrelated directory (it must carry
// everything it needs), with help, version, clear usage errors, `ls` and `dump` on a lab, and an
// unprivileged run that degrades loudly instead of failing.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { Lab, requireRoot, sh } from "../helpers/lab.ts";
import { ensureTool } from "../helpers/packages.ts";
import { wsClient } from "../server/clients.ts";

const built = join(import.meta.dir, "../../dist/wiresight");
const dir = mkdtempSync(join(tmpdir(), "wiresight-bin-"));
const bin = join(dir, "wiresight");
const root = requireRoot();
const lab = new Lab();
/**
 * Each lab test runs several full discoveries of the whole host; with hundreds of namespaces
 * (a benchmark alongside) and a loaded machine that outlasts bun's 5 s default. Not a timing
 * assertion: only a bound on how long to wait.
 */
const SLOW_HOST_TIMEOUT_MS = 120_000;

function run(args: string[], opts: { asNobody?: boolean } = {}) {
  const cmd = opts.asNobody ? "setpriv" : bin;
  const argv = opts.asNobody ? ["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", bin, ...args] : args;
  // A host with hundreds of namespaces (a benchmark running alongside) dumps megabytes.
  const r = spawnSync(cmd, argv, { encoding: "utf8", cwd: dir, env: { ...process.env, NO_COLOR: "1" }, maxBuffer: 512 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  if (!existsSync(built)) throw new Error("dist/wiresight is missing: run `npm run build` (npm test does it first)");
  copyFileSync(built, bin);
  chmodSync(dir, 0o755);
  chmodSync(bin, 0o755);
});
afterAll(() => {
  lab.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe("the compiled binary", () => {
  test("--version and --help", () => {
    const v = run(["--version"]);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(`wiresight ${pkg.version}`);
    const h = run(["--help"]);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain("Usage: wiresight <command>");
    expect(h.stdout).toContain("ls");
    expect(run(["help", "dump"]).stdout).toContain("Usage: wiresight dump");
    expect(run(["ls", "--help"]).stdout).toContain("Usage: wiresight ls");
    expect(h.stdout).toContain("whereis");
    const w = run(["whereis", "--help"]);
    expect(w.code).toBe(0);
    expect(w.stdout).toContain("Usage: wiresight whereis IP");
    expect(w.stdout).toMatch(/Exit status:\n  0 .*\n  1 .*\n(.*\n)*  2 /);
  });

  test("an unknown command or flag is a clear usage error (exit 2, no stack trace)", () => {
    for (const [args, expected] of [
      [["frobnicate"], "unknown command 'frobnicate'"],
      [["--frobnicate"], "unknown option --frobnicate"],
      [["ls", "--frobnicate"], "unknown option --frobnicate for 'ls'"],
      [["dump", "extra"], "'dump' takes no argument"],
      [["dump", "--format", "xml"], "--format of 'dump' takes wiresight, ghostwire-v1, mobyshark, dot, mermaid, not 'xml'"],
      [["ls", "--color", "sometimes"], "--color takes auto, always or never"],
      [["whereis"], "'whereis' needs an IP address"],
      [["whereis", "10.0.0.256"], '"10.0.0.256" is not a valid IP address'],
      [["whereis", "1::2::3"], '"1::2::3" is not a valid IPv6 address'],
      [["whereis", "10.0.0.0/8"], "is a prefix"],
      [["whereis", "10.0.0.1", "10.0.0.2"], "'whereis' takes at most 1 argument"],
      [["whereis", "10.0.0.1", "--from", "no-such-namespace-anywhere"], 'unknown starting point "no-such-namespace-anywhere"'],
    ] as const) {
      const r = run([...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(expected);
      expect(r.stderr).toContain("--help");
      expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    }
  });
});

describe.if(root)("the compiled binary on a lab", () => {
  test("ls shows namespaces and veth peers across them; dump is valid JSON with them", () => {
    const a = lab.netns("a");
    const b = lab.netns("b");
    lab.ip(a, "link", "add", "left", "type", "veth", "peer", "name", "right", "netns", b);
    lab.ip(a, "addr", "add", "10.77.0.1/24", "dev", "left");

    const ls = run(["ls", "--routes"]);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toContain(a);
    expect(ls.stdout).toContain(`⇄ right @ ${b}`);
    expect(ls.stdout).toContain("10.77.0.1/24");
    expect(ls.stdout).not.toContain("\x1b["); // piped: no colour

    const colored = run(["ls", "--color", "always"]);
    expect(colored.stdout).toContain("\x1b[");

    const dump = run(["dump"]);
    expect(dump.code).toBe(0);
    const t = JSON.parse(dump.stdout);
    const inode = Number(sh("stat", ["-L", "-c", "%i", `/run/netns/${a}`]).trim());
    const ns = t.namespaces.find((n: any) => n.inode === inode);
    expect(ns.displayName).toBe(a);
    expect(ns.interfaces.map((i: any) => i.name)).toContain("left");
    expect(run(["dump", "--pretty"]).stdout).toContain('\n  "formatVersion": 1');
  }, SLOW_HOST_TIMEOUT_MS);

  test("whereis: the owner and the path across a bridge; JSON; exit 0 found, 1 not found", () => {
    const hub = lab.netns("hub");
    const c = lab.netns("c");
    const client = lab.netns("cl");
    lab.ip(hub, "link", "add", "br0", "type", "bridge");
    lab.ip(hub, "link", "add", "p1", "type", "veth", "peer", "name", "eth0", "netns", c);
    lab.ip(hub, "link", "set", "p1", "master", "br0", "up");
    lab.ip(hub, "link", "add", "p2", "type", "veth", "peer", "name", "eth0", "netns", client);
    lab.ip(hub, "link", "set", "p2", "master", "br0", "up");
    lab.ip(hub, "link", "set", "br0", "up");
    lab.ip(c, "addr", "add", "10.78.0.2/24", "dev", "eth0");
    lab.ip(c, "link", "set", "eth0", "up");
    lab.ip(client, "addr", "add", "10.78.0.7/24", "dev", "eth0");
    lab.ip(client, "link", "set", "eth0", "up");
    lab.ip(client, "route", "add", "blackhole", "10.79.0.0/16");

    const text = run(["whereis", "10.78.0.2", "--from", client]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`10.78.0.2 is owned by:`);
    expect(text.stdout).toMatch(new RegExp(`→ eth0 \\(veth\\) in ${c} net:\\[\\d+\\]  10\\.78\\.0\\.2/24`));
    expect(text.stdout).toContain(`Path from ${client}`);
    expect(text.stdout).toMatch(new RegExp(`1\\. ${client} .*route unicast 10\\.78\\.0\\.0/24 \\(table main\\) dev eth0`));
    expect(text.stdout).toMatch(new RegExp(`2\\. ${hub} .*in p2  bridge bridge br0 → port p1`));
    expect(text.stdout).toMatch(new RegExp(`3\\. ${c} .*in eth0  route local 10\\.78\\.0\\.2/32 \\(table local\\)`));
    expect(text.stdout).toContain("✓ delivered");

    const json = run(["whereis", "10.78.0.2", "--from", client, "--json"]);
    expect(json.code).toBe(0);
    const r = JSON.parse(json.stdout);
    expect(r.found).toBe(true);
    expect(r.path.map((h: any) => [h.kind, h.netnsName])).toEqual([["route", client], ["bridge", hub], ["route", c]]);
    expect(r.reached.netnsName).toBe(c);

    const dropped = run(["whereis", "10.79.0.1", "--from", client]);
    expect(dropped.code).toBe(1);
    expect(dropped.stdout).toContain("no interface on this host holds it");
    expect(dropped.stdout).toContain("not delivered (blackhole)");
    expect(run(["whereis", "10.79.0.1", "--from", client, "--json"]).code).toBe(1);
  }, SLOW_HOST_TIMEOUT_MS);

  test("capture with a libpcap filter, piped into tshark -r -", () => {
    ensureTool("tshark", "tshark");
    ensureTool("ping", "iputils-ping");
    expect(run(["capture", "--help"]).stdout).toContain("Usage: wiresight capture TARGET");
    const c = lab.netns("cap1");
    const d = lab.netns("cap2");
    lab.ip(c, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", d);
    lab.ip(c, "addr", "add", "10.78.0.1/24", "dev", "eth0");
    lab.ip(d, "addr", "add", "10.78.0.2/24", "dev", "eth0");
    lab.ip(c, "link", "set", "eth0", "up");
    lab.ip(d, "link", "set", "eth0", "up");
    lab.spawn("ip", ["netns", "exec", c, "ping", "-i", "0.2", "-c", "100", "10.78.0.2"]);
    const r = spawnSync("sh", ["-c", `"${bin}" capture ${c} -i eth0 -f icmp --count 4 | tshark -r - -T fields -e frame.interface_name -e icmp.type`], { encoding: "utf8", cwd: dir });
    expect(r.status).toBe(0);
    const rows = r.stdout.trim().split("\n").map((l) => l.split("\t"));
    expect(rows.length).toBe(4);
    for (const [ifname, type] of rows) {
      expect(ifname).toBe("eth0");
      expect(["0", "8"]).toContain(type ?? "");
    }
    expect(r.stderr).toContain("4 packet(s) captured (packet count reached)");
  });

  test("without privileges it shows its own namespace and says what is missing", () => {
    const r = run(["dump"], { asNobody: true });
    expect(r.code).toBe(0);
    const t = JSON.parse(r.stdout);
    expect(t.privileges.root).toBe(false);
    expect(t.privileges.missing.map((m: any) => m.capability)).toContain("CAP_SYS_ADMIN");
    expect(t.namespaces.length).toBeGreaterThanOrEqual(1);
    expect(t.namespaces.some((n: any) => n.interfaces.some((i: any) => i.kind === "loopback"))).toBe(true);
    expect(r.stderr).toContain("running without");
    expect(r.stderr).toContain("CAP_SYS_ADMIN");
  });
});

describe.if(root)("the compiled binary serves", () => {
  test(
    "serve: the offline playground, a query, a live change over a websocket, SIGTERM exits 0",
    async () => {
      const ns = lab.netns("srv");
      const port = 20000 + Math.floor(Math.random() * 20000);
      const child = spawn(bin, ["serve", "--listen", `127.0.0.1:${port}`, "--db", join(dir, "serve.db"), "--token", "bin-token"], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
      const url = `http://127.0.0.1:${port}`;
      const auth = { authorization: "Bearer bin-token" };
      try {
        for (let i = 0; !stderr.includes("listening on"); i++) {
          if (i > 600 || child.exitCode !== null) throw new Error(`serve did not start: ${stderr}`);
          await Bun.sleep(100);
        }
        // The playground: compressed, with the docs' tabs (docs/graphql.md is embedded in the binary) and its script from this server.
        const page = await fetch(`${url}/graphql`, { headers: { accept: "text/html", "accept-encoding": "gzip" }, decompress: false } as RequestInit);
        expect(page.status).toBe(200);
        expect(page.headers.get("content-encoding")).toBe("gzip");
        expect(page.headers.get("etag")).toMatch(/^"[A-Za-z0-9_-]{27}-gzip"$/);
        const html = new TextDecoder().decode(Bun.gunzipSync(new Uint8Array(await page.arrayBuffer())));
        expect(html).toContain("query Topology");
        expect(html).not.toMatch(/<script[^>]+src=["']https?:/);
        const script = /<script src="(\/graphql\/assets\/graphiql-[^"]+\.js)"/.exec(html)![1]!;
        const asset = await fetch(`${url}${script}`, { headers: { "accept-encoding": "gzip" } });
        expect(asset.status).toBe(200);
        expect((await asset.text()).length).toBeGreaterThan(5_000_000);
        expect((await fetch(`${url}/graphql`, { headers: { accept: "text/html", "if-none-match": page.headers.get("etag")! } })).status).toBe(304);

        const q = await fetch(`${url}/graphql`, { method: "POST", headers: { "content-type": "application/json", ...auth }, body: JSON.stringify({ query: "{ topology { revision namespaces { displayName } } }" }) });
        const body = (await q.json()) as any;
        expect(body.data.topology.namespaces.map((n: any) => n.displayName)).toContain(ns);

        const { client } = wsClient(url, { headers: auth });
        const since = body.data.topology.revision;
        const it = client.iterate({ query: `subscription { topologyChanges(filter: { kinds: [INTERFACE], namespace: "${ns}" }, sinceRevision: ${since}) { op ... on EntityAdded { after } } }` })[Symbol.asyncIterator]();
        lab.ip(ns, "link", "add", "srv0", "type", "bridge");
        const e = (await it.next()).value as any;
        expect(e.data.topologyChanges.op).toBe("ADDED");
        expect(e.data.topologyChanges.after.name).toBe("srv0");
        await it.return?.();
        await client.dispose();
      } finally {
        child.kill("SIGTERM");
      }
      expect(await exited).toBe(0);
      expect(stderr).toContain("stopped (SIGTERM)");
    },
    SLOW_HOST_TIMEOUT_MS,
  );
});
