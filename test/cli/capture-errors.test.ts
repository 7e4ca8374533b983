// Issue 14, item 7, for `wiresight capture` (the compiled binary): an output path that cannot be
// written is reported before anything is captured; without privileges the message says what is
// needed instead of a bare "setns: EPERM", and no empty output file is left behind.

import { afterAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { BUILT_BINARY } from "../helpers/serve-binary.ts";
import { Lab, requireRoot } from "../helpers/lab.ts";

const root = requireRoot();
const lab = new Lab();
afterAll(() => lab.cleanup());

function capture(args: string[], asNobody = false) {
  const argv = asNobody ? ["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", BUILT_BINARY, "capture", ...args] : ["capture", ...args];
  const r = spawnSync(asNobody ? "setpriv" : BUILT_BINARY, argv, { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stderr: r.stderr };
}

describe.if(root)("capture reports what is wrong before it captures", () => {
  test("-w into a directory that does not exist: an error, and no capture started", () => {
    const ns = lab.netns("cw");
    const r = capture([ns, "--count", "1", "-w", "/nonexistent-wiresight/x.pcapng"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("cannot write /nonexistent-wiresight/x.pcapng: its directory does not exist");
    expect(r.stderr).not.toContain("capturing on");
    expect(r.stderr).not.toContain("packet(s) captured");
  }, 60_000);

  test("without privileges: says that capturing needs root, and leaves no empty file", () => {
    const dir = join(lab.dir, "out");
    mkdirSync(dir);
    chmodSync(lab.dir, 0o755);
    chmodSync(dir, 0o777);
    const file = join(dir, "x.pcapng");
    const r = capture(["initial", "--count", "1", "-w", file], true);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("capturing needs root (CAP_SYS_ADMIN to enter the namespace, CAP_NET_RAW for packet sockets)");
    expect(existsSync(file)).toBe(false);
  }, 60_000);
});
