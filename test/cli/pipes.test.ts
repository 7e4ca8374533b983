// Issue 14, item 6: the compiled binary writing into a pipe whose reader goes away — `| head -1`,
// as users type it (bash, pipefail, the status of wiresight itself), and a FIFO whose reader
// closes before anything is written (an EPIPE on the first write, whatever the timing) — ends
// quietly with status 0: no stack trace, no message.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Store } from "../../src/store/index.ts";
import { BUILT_BINARY } from "../helpers/serve-binary.ts";
import { requireRoot, sh } from "../helpers/lab.ts";
import { syntheticTopology } from "../store/synthetic.ts";
import { tempDir } from "../store/helpers.ts";

const tmp = tempDir();
/** Enough recordings that `history` prints far more than a pipe holds (64 KiB). */
const RECORDINGS = 2500;

beforeAll(() => {
  if (!existsSync(BUILT_BINARY)) throw new Error("dist/wiresight is missing: run `npm run build` (npm test does it first)");
  const store = Store.open(tmp.db);
  const t = syntheticTopology();
  for (let i = 0; i < RECORDINGS; i++) store.record({ ...t, discoveredAt: new Date(Date.parse(t.discoveredAt) + i * 1000).toISOString() });
  store.close();
}, 120_000);
afterAll(() => tmp.cleanup());

/** Runs `wiresight ARGS | head -1` in bash; wiresight's own exit status, its stderr, and what head printed. */
function intoHead(args: string[]) {
  const errFile = join(tmp.dir, "stderr");
  const quoted = [BUILT_BINARY, ...args].map((a) => `'${a}'`).join(" ");
  const r = spawnSync("bash", ["-c", `${quoted} 2>'${errFile}' | head -1; echo "status:\${PIPESTATUS[0]}" >&2`], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { status: /status:(\d+)/.exec(r.stderr)?.[1], stderr: readFileSync(errFile, "utf8"), line: r.stdout };
}

describe("a reader that goes away ends the command quietly with status 0", () => {
  test("history | head -1", () => {
    const r = intoHead(["history", "--db", tmp.db, "--limit", String(RECORDINGS)]);
    expect(r).toEqual({ status: "0", stderr: "", line: expect.stringMatching(/^REV +TIME/) });
  });

  test("history --json | head -1, diff --json | head -1", () => {
    expect(intoHead(["history", "--json", "--db", tmp.db, "--limit", String(RECORDINGS)])).toEqual({ status: "0", stderr: "", line: "{\n" });
    expect(intoHead(["diff", "1", String(RECORDINGS), "--json", "--db", tmp.db]).status).toBe("0");
  });

  test("a FIFO whose reader closed before the first write", async () => {
    const fifo = join(tmp.dir, "fifo");
    sh("mkfifo", [fifo]);
    const child = spawn("sh", ["-c", `exec '${BUILT_BINARY}' history --db '${tmp.db}' --limit ${RECORDINGS} > '${fifo}'`], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    closeSync(openSync(fifo, "r")); // the writer's open returns once a reader opened; this one leaves at once
    expect(await exited).toBe(0);
    expect(stderr).toBe("");
  });

  test.if(requireRoot())("dump --pretty | head -1 and ls -a | head -1 on this host", () => {
    const dump = intoHead(["dump", "--pretty"]);
    expect(dump.status).toBe("0");
    expect(dump.line).toBe("{\n");
    expect(dump.stderr).not.toContain("EPIPE");
    expect(dump.stderr).not.toContain(" at ");
    const ls = intoHead(["ls", "-a"]);
    expect(ls.status).toBe("0");
    expect(ls.stderr).not.toContain("EPIPE");
  }, 120_000);
});
