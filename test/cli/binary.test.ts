// The compiled binary, as users run it: copied to an unrelated directory (it must carry
// everything it needs), with help, version, clear usage errors, `ls` and `dump` on a lab, and an
// unprivileged run that degrades loudly instead of failing.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { Lab, requireRoot, sh } from "../helpers/lab.ts";
import { ensureTool } from "../helpers/packages.ts";

const built = join(import.meta.dir, "../../dist/wiresight");
const dir = mkdtempSync(join(tmpdir(), "wiresight-bin-"));
const bin = join(dir, "wiresight");
const root = requireRoot();
const lab = new Lab();

function run(args: string[], opts: { asNobody?: boolean } = {}) {
  const cmd = opts.asNobody ? "setpriv" : bin;
  const argv = opts.asNobody ? ["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", bin, ...args] : args;
  const r = spawnSync(cmd, argv, { encoding: "utf8", cwd: dir, env: { ...process.env, NO_COLOR: "1" } });
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
  });

  test("an unknown command or flag is a clear usage error (exit 2, no stack trace)", () => {
    for (const [args, expected] of [
      [["frobnicate"], "unknown command 'frobnicate'"],
      [["--frobnicate"], "unknown option --frobnicate"],
      [["ls", "--frobnicate"], "unknown option --frobnicate for 'ls'"],
      [["dump", "extra"], "'dump' takes no argument"],
      [["ls", "--color", "sometimes"], "--color takes auto, always or never"],
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
  });

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
