// readProcesses against real processes started here, and against a fabricated /proc tree for the
// cases a real kernel will not produce on demand.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseCmdline, parseStat, parseStatusUid, readProcesses } from "../../src/discovery/procfs/processes.ts";
import { Cleanup, requireRoot, run, uniquePrefix, waitUntil } from "./helpers.ts";

const root = requireRoot("procfs processes");

describe("parseStat", () => {
  test("comm with spaces and parentheses is split at the LAST ')'", () => {
    const line = "4242 (x) (y) z) S 17 4242 17 0 -1 4194560 90 0 0 0 0 0 0 0 20 0 1 0 123456 2252800 200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
    expect(parseStat(line)).toEqual({ pid: 4242, comm: "x) (y) z", state: "S", ppid: 17, flags: 4194560, numThreads: 1, startTime: 123456, nice: 0, rtPriority: 0, policy: 0 });
  });
  test("empty comm and kernel-thread flags", () => {
    const line = "2 () S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 14 0 0 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0";
    const s = parseStat(line)!;
    expect(s.comm).toBe("");
    expect(s.startTime).toBe(14);
    expect(s.flags & 0x00200000).toBe(0x00200000); // PF_KTHREAD
  });
  test("malformed input is null, not an exception", () => {
    expect(parseStat("")).toBeNull();
    expect(parseStat("12 (x")).toBeNull();
    expect(parseStat("12 (x) S")).toBeNull();
  });
});

describe("parseStatusUid / parseCmdline", () => {
  test("real uid is the first Uid: field", () => {
    expect(parseStatusUid("Name:\tx\nUmask:\t0022\nUid:\t1000\t0\t0\t0\nGid:\t5\t5\t5\t5\n")).toBe(1000);
    expect(parseStatusUid("Name:\tx\n")).toBeNull();
  });
  test("NUL-separated argv, trailing NUL, empty args kept", () => {
    expect(parseCmdline("sleep\u0000300\u0000")).toEqual(["sleep", "300"]);
    expect(parseCmdline("a\u0000\u0000b\u0000")).toEqual(["a", "", "b"]);
    expect(parseCmdline("")).toEqual([]);
    expect(parseCmdline("setproctitle style")).toEqual(["setproctitle style"]);
  });
});

describe("readProcesses on a fabricated /proc", () => {
  const cleanup = new Cleanup();
  afterAll(() => cleanup.run());

  test("parses, skips vanished pids silently, ignores non-pid entries", () => {
    const fake = cleanup.tempDir(uniquePrefix());
    const mk = (pid: number, files: Record<string, string>) => {
      mkdirSync(join(fake, String(pid)));
      for (const [name, text] of Object.entries(files)) writeFileSync(join(fake, String(pid), name), text);
    };
    mk(7, {
      stat: "7 (a) b (c) S 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 999 0 0 0\n",
      status: "Name:\ta) b (c\nUid:\t33\t33\t33\t33\n",
      cmdline: "/usr/bin/a) b (c\u0000--flag\u0000",
    });
    mk(8, {}); // exited between readdir and read: no files
    mk(9, { stat: "9 (half) S 1 9 9 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0 0\n" }); // vanished after stat
    mkdirSync(join(fake, "self"));
    mkdirSync(join(fake, "sys"));
    const warnings: string[] = [];
    const procs = readProcesses(fake, warnings);
    expect([...procs.keys()]).toEqual([7]);
    // No ns/pid link and no NSpid in the fabricated tree: the PID namespace is unknown.
    expect(procs.get(7)).toEqual({
      pid: 7,
      ppid: 1,
      comm: "a) b (c",
      cmdline: ["/usr/bin/a) b (c", "--flag"],
      startTime: 999,
      uid: 33,
      threads: 1,
      scheduling: { policy: 0, rtPriority: 0, nice: 0 },
      cpuAffinity: null,
      pidns: null,
    });
    expect(warnings).toEqual([]);
  });

  test("an unreadable stat is a warning with the errno, not a crash", () => {
    const fake = cleanup.tempDir(uniquePrefix());
    mkdirSync(join(fake, "5"));
    mkdirSync(join(fake, "5", "stat")); // reading a directory: EISDIR, stands in for EACCES (root bypasses modes)
    const warnings: string[] = [];
    const procs = readProcesses(fake, warnings);
    expect(procs.size).toBe(0);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("pid 5");
    expect(warnings[0]).toContain("EISDIR");
  });
});

describe.skipIf(!root)("readProcesses (real processes)", () => {
  const cleanup = new Cleanup();
  const prefix = uniquePrefix();
  let sleeper: Bun.Subprocess;
  let odd: Bun.Subprocess;
  let oddPath = "";

  beforeAll(async () => {
    try {
      const tmp = cleanup.tempDir(prefix);
      oddPath = join(tmp, "x) (y) z");
      copyFileSync("/bin/sleep", oddPath);
      run(["chmod", "755", oddPath]);
      sleeper = cleanup.spawn(Bun.spawn({ cmd: ["sleep", "300"], stdout: "ignore", stderr: "ignore" }));
      odd = cleanup.spawn(Bun.spawn({ cmd: [oddPath, "301"], stdout: "ignore", stderr: "ignore" }));
      await waitUntil(
        () =>
          readFileSync(`/proc/${sleeper.pid}/comm`, "utf8").trim() === "sleep" &&
          readFileSync(`/proc/${odd.pid}/comm`, "utf8").trim() === "x) (y) z",
        "spawned sleepers to exec",
      );
    } catch (err) {
      await cleanup.run().catch(() => {});
      throw err;
    }
  });

  afterAll(() => cleanup.run());

  test("finds its own spawned sleep with comm, ppid, cmdline, start time and uid", () => {
    const warnings: string[] = [];
    const procs = readProcesses("/proc", warnings);
    const p = procs.get(sleeper.pid);
    expect(p).toBeDefined();
    expect(p!.comm).toBe("sleep");
    expect(p!.ppid).toBe(process.pid);
    expect(p!.cmdline).toEqual(["sleep", "300"]);
    expect(p!.uid).toBe(process.getuid!());
    expect(p!.threads).toBe(1);
    // oracle: field 22 via awk (safe here: comm "sleep" has no spaces)
    expect(p!.startTime).toBe(Number(run(["awk", "{print $22}", `/proc/${sleeper.pid}/stat`])));
    expect(procs.get(process.pid)?.cmdline.length).toBeGreaterThan(0);
  });

  test("a comm with spaces and ')' is parsed right", () => {
    const p = readProcesses("/proc", []).get(odd.pid)!;
    expect(p.comm).toBe("x) (y) z");
    expect(p.ppid).toBe(process.pid);
    expect(p.cmdline).toEqual([oddPath, "301"]);
    // oracle: ps, which reads the same field its own way
    expect(run(["ps", "-o", "comm=", "-p", String(odd.pid)])).toBe("x) (y) z");
    const stat = readFileSync(`/proc/${odd.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    expect(p.startTime).toBe(Number(fields[19]));
  });

  test("kernel threads have an empty cmdline; PID 1 does not crash the read", () => {
    const warnings: string[] = [];
    const procs = readProcesses("/proc", warnings);
    expect(procs.get(2)?.comm).toBe("kthreadd");
    expect(procs.get(2)?.cmdline).toEqual([]);
    expect(procs.get(2)?.ppid).toBe(0);
    // Whether PID 1's stat is readable or not, we get a map (and at most one warning for it).
    expect(warnings.filter((w) => w.startsWith("pid 1 ")).length).toBeLessThanOrEqual(1);
  });
});
