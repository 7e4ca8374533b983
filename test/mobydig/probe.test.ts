// The probe against a lab: a namespace "c" (the container) with a DNS server on 127.0.0.11 that
// knows three names — one for a neighbour namespace "n" reachable over a veth, one for an address
// on that link nobody holds, one for c's own address — and a name it does not know. The probe
// runs in the test process and as `wiresight mobydig --job -` (what the server runs); both must
// give Ghostwire's stream: every name, the neighbour and c itself verified, the unheld address
// invalid after its pings, the unknown name unresolved.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { probe, ProbeError } from "../../src/mobydig/probe.ts";
import type { Verdict } from "../../src/mobydig/verdicts.ts";
import { Lab, requireRoot } from "../helpers/lab.ts";

const root = requireRoot();

describe.if(root)("probe in a container's namespace", () => {
  const lab = new Lab();
  let pid = 0;
  let startTime = 0;
  const names = ["neighbour", "nobody", "self", "unknown"];

  beforeAll(async () => {
    const c = lab.netns("c");
    const n = lab.netns("n");
    lab.veth({ ns: c, name: "eth0", cidr: "10.94.0.2/24" }, { ns: n, name: "eth0", cidr: "10.94.0.3/24" });
    const table = { neighbour: "10.94.0.3", nobody: "10.94.0.77", self: "10.94.0.2" };
    const child = lab.spawn("ip", ["netns", "exec", c, process.execPath, join(import.meta.dir, "fixtures/dns-responder.ts"), JSON.stringify(table)]);
    await lab.waitFor(child, "ready");
    pid = child.pid!; // ip netns exec execs the responder: it lives in c
    startTime = Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[19]);
  }, 30_000);
  afterAll(() => lab.cleanup());

  function expectStream(out: Verdict[]): void {
    const final = (fqdn: string) => out.filter((v) => v.fqdn === fqdn).at(-1)!;
    expect(out.slice(0, 4)).toEqual(names.map((n) => ({ fqdn: `${n}.`, quality: "unverified" })));
    expect(final("neighbour.")).toEqual({ fqdn: "neighbour.", address: "10.94.0.3", quality: "verified" });
    expect(final("self.")).toEqual({ fqdn: "self.", address: "10.94.0.2", quality: "verified" });
    expect(final("nobody.")).toEqual({ fqdn: "nobody.", address: "10.94.0.77", quality: "invalid", error: "no replies or too many losses" });
    expect(final("unknown.")).toEqual({ fqdn: "unknown.", quality: "invalid", error: "NXDOMAIN" });
    // Every address went unverified → verifying → its verdict, in that order.
    for (const a of ["10.94.0.3", "10.94.0.77", "10.94.0.2"]) expect(out.filter((v) => v.address === a).map((v) => v.quality)).toEqual(["unverified", "verifying", a === "10.94.0.77" ? "invalid" : "verified"]);
  }

  test("in this process", async () => {
    const out: Verdict[] = [];
    await probe({ pid, startTime, names }, (v) => out.push(v));
    expectStream(out);
  }, 30_000);

  test("as the server runs it: wiresight mobydig --job -, one JSON line per message", async () => {
    const p = Bun.spawn([process.execPath, join(import.meta.dir, "../../src/cli/main.ts"), "mobydig", "--job", "-"], { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
    p.stdin.write(JSON.stringify({ pid, startTime, names }));
    await p.stdin.end();
    const [stdout, code] = await Promise.all([new Response(p.stdout).text(), p.exited]);
    expect(code).toBe(0);
    expectStream(stdout.trim().split("\n").map((l) => JSON.parse(l)));
  }, 30_000);

  test("a PID that is no longer the process it was: refused, not probed", async () => {
    await expect(probe({ pid, startTime: startTime + 1, names }, () => {})).rejects.toThrow(ProbeError);
    const p = Bun.spawn([process.execPath, join(import.meta.dir, "../../src/cli/main.ts"), "mobydig", "--job", "-"], { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
    p.stdin.write("{ not json");
    await p.stdin.end();
    expect(await p.exited).toBe(2);
    expect(await new Response(p.stderr).text()).toContain("not JSON");
  });
});
