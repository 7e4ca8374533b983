// PID namespaces from process records (ns/pid inode, NSpid level, PID inside) and the kernel's
// parent links: keys anchored in the init's start time, levels, parents, the init; a namespace
// whose processes all vanished before NS_GET_PARENT gets a warning, not a guessed parent.

import { describe, expect, test } from "bun:test";
import { collectPidNamespaces } from "../../src/discovery/procfs/pid-namespaces.ts";
import { parseCpuList, parseStat, parseStatusExtras, type ProcessInfo } from "../../src/discovery/procfs/processes.ts";

const BOOT = "b";

function p(pid: number, ppid: number, start: number, pidns: ProcessInfo["pidns"]): ProcessInfo {
  return { pid, ppid, comm: `p${pid}`, cmdline: [], startTime: start, uid: 0, scheduling: null, cpuAffinity: null, pidns };
}

describe("collectPidNamespaces", () => {
  const processes = new Map(
    [
      p(1, 0, 10, { inode: 100, level: 0, pidInside: 1 }),
      p(50, 1, 20, { inode: 100, level: 0, pidInside: 50 }),
      p(60, 50, 30, { inode: 200, level: 1, pidInside: 1 }), // init of 200
      p(61, 60, 31, { inode: 200, level: 1, pidInside: 2 }),
      p(70, 61, 40, { inode: 300, level: 2, pidInside: 5 }), // 300's init is not visible
      p(80, 1, 50, null), // unreadable
    ].map((x) => [x.pid, x]),
  );
  const parents: Record<string, number | null> = { "/proc/60/ns/pid": 100, "/proc/61/ns/pid": 100, "/proc/70/ns/pid": 200 };

  test("keys, levels, inits and parents; processes keyed to their namespace", () => {
    const warnings: string[] = [];
    const asked: string[] = [];
    const r = collectPidNamespaces(processes, BOOT, "/proc", (m) => warnings.push(m), (path) => {
      asked.push(path);
      return parents[path] ?? null;
    });
    expect(r.list).toEqual([
      { key: "pidns:b:100:10", inode: 100, level: 0, parent: null, init: "proc:b:1:10" },
      { key: "pidns:b:200:30", inode: 200, level: 1, parent: "pidns:b:100:10", init: "proc:b:60:30" },
      { key: "pidns:b:300", inode: 300, level: 2, parent: "pidns:b:200:30", init: null },
    ]);
    expect(asked).toEqual(["/proc/60/ns/pid", "/proc/70/ns/pid"]); // once per nested namespace; the outermost is not asked
    expect(r.keyOfPid.get(61)).toBe("pidns:b:200:30");
    expect(r.keyOfPid.has(80)).toBe(false);
    expect(warnings).toEqual([]);
  });

  test("a namespace whose processes all went away before the ioctl: no parent, one warning", () => {
    const warnings: string[] = [];
    const gone = Object.assign(new Error("open: ENOENT"), { code: "ENOENT" });
    const r = collectPidNamespaces(processes, BOOT, "/proc", (m) => warnings.push(m), (path) => {
      if (path.startsWith("/proc/7")) throw gone;
      return parents[path] ?? null;
    });
    expect(r.list.find((n) => n.inode === 300)!.parent).toBeNull();
    expect(warnings).toEqual(["pid:[300]: its parent PID namespace is unknown (open: ENOENT)"]);
  });
});

describe("scheduling and affinity from stat and status", () => {
  test("policy (41), RT priority (40) and nice (19) from a SCHED_FIFO stat line", () => {
    const line = "77 (irq/9-acpi) S 2 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 -51 0 1 0 15 0 0 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 1 0 0 17 1 50 1 0 0 0 0 0 0 0 0 0 0 0\n";
    expect(parseStat(line)).toMatchObject({ pid: 77, nice: 0, rtPriority: 50, policy: 1 });
  });
  test("Cpus_allowed_list and NSpid of a status text", () => {
    const status = "Name:\tsh\nNSpid:\t4242\t17\t1\nCpus_allowed:\tf\nCpus_allowed_list:\t0-3,8,10-11\n";
    expect(parseStatusExtras(status)).toEqual({ cpuAffinity: [[0, 3], [8, 8], [10, 11]], nspid: [4242, 17, 1] });
    expect(parseStatusExtras("Name:\tsh\n")).toEqual({ cpuAffinity: null, nspid: null });
  });
  test("CPU lists: empty, single, malformed", () => {
    expect(parseCpuList("0\n")).toEqual([[0, 0]]);
    expect(parseCpuList("")).toEqual([]);
    expect(parseCpuList("3-1")).toBeNull();
    expect(parseCpuList("a-b")).toBeNull();
  });
});
