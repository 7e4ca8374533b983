// The history commands of the compiled binary, copied alone into an unrelated directory (the
// migrations must be inside it): record, change a lab, record; history, diff (text and JSON),
// ls/dump --at; the database path from --db and from $WIRESIGHT_DB; clear errors.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Lab, requireRoot } from "../helpers/lab.ts";

const built = join(import.meta.dir, "../../dist/wiresight");
const dir = mkdtempSync(join(tmpdir(), "wiresight-hist-"));
const bin = join(dir, "wiresight");
const db = join(dir, "state", "h.db");
const root = requireRoot();
const lab = new Lab();

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(bin, args, { encoding: "utf8", cwd: dir, env: { ...process.env, NO_COLOR: "1", ...env }, maxBuffer: 512 * 1024 * 1024 }); // a dump of a busy host passes 1 MiB
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  if (!existsSync(built)) throw new Error("dist/wiresight is missing: run `npm run build` (npm test does it first)");
  copyFileSync(built, bin);
  chmodSync(bin, 0o755);
});
afterAll(() => {
  lab.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe("history commands: usage", () => {
  test("help lists them; bad moments and missing databases are clear errors", () => {
    const h = run(["--help"]).stdout;
    for (const c of ["record", "history", "diff"]) expect(h).toContain(`  ${c} `);
    expect(run(["help", "diff"]).stdout).toContain("Usage: wiresight diff FROM [TO]");
    const bad = run(["diff", "yesterday", "--db", db]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("'yesterday' is not a moment");
    const none = run(["history", "--db", join(dir, "nothing.db")]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("no database at");
    expect(none.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    expect(run(["record", "--every", "soon"]).stderr).toContain("--every looks like 10s");
    expect(run(["ls", "--db", db]).stderr).toContain("--db goes with --at");
  });

  test("a file that is not a wiresight database is refused", () => {
    const notes = join(dir, "other", "notes.db");
    mkdirSync(join(dir, "other"));
    writeFileSync(notes, "not a database\n".repeat(100));
    const r = run(["history", "--db", notes]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("is not a SQLite database");
  });
});

/** The block `ls` prints for one namespace: its header line up to the blank line that ends it. */
function namespaceSection(ls: string, name: string): string {
  const start = ls.split("\n\n").find((block) => block.startsWith(`${name}  `));
  if (start === undefined) throw new Error(`ls printed no namespace ${name}:\n${ls}`);
  return start;
}

describe.if(root)("history commands on a lab", () => {
  test("record, change, record; history, diff, ls --at and dump --at tell what changed", () => {
    const a = lab.netns("a");
    lab.ip(a, "link", "add", "h0", "type", "veth", "peer", "name", "h1");
    const first = run(["record", "--db", db]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^revision 1: \+\d+ -0 ~0 /);
    expect(readdirSync(join(dir, "state")).filter((f) => !f.startsWith("h.db"))).toEqual([]); // nothing but the database was written

    lab.ip(a, "link", "set", "h0", "alias", "after the first recording");
    lab.ip(a, "link", "add", "h2", "type", "veth", "peer", "name", "h3");
    const second = run(["record", "-q"], { WIRESIGHT_DB: db });
    expect(second.code).toBe(0);
    expect(second.stdout).toBe("");

    const history = run(["history", "--db", db]);
    expect(history.code).toBe(0);
    expect(history.stdout).toMatch(/^REV\s+TIME\s+ADDED\s+REMOVED\s+CHANGED/);
    expect(history.stdout).toMatch(/\n2\s+\S+Z\s+\+\d+/);
    expect(history.stdout).toContain("2 recording(s) (revisions 1–2)");

    const diff = run(["diff", "1", "2", "--db", db]);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain(`+ interface h2 in ${a}`);
    expect(diff.stdout).toContain(`+ interface h3 in ${a}`);
    expect(diff.stdout).toContain(`~ interface h0 in ${a}\n    alias: null → "after the first recording"`);
    const json = JSON.parse(run(["diff", "1", "--json", "--db", db]).stdout);
    expect(json.from).toBe(1);
    expect(json.to).toBe(2);
    const alias = json.entities.find((e: any) => e.kind === "interface" && e.op === "changed" && e.after.name === "h0");
    expect(alias.fields).toEqual([{ field: "alias", before: null, after: "after the first recording" }]);
    expect(run(["diff", "-1h", "--db", db]).stderr).toContain("nothing recorded at or before");

    const lsThen = run(["ls", "--at", "1", "--db", db]);
    expect(lsThen.code).toBe(0);
    expect(lsThen.stderr).toContain("as recorded at revision 1");
    // Only the lab's namespace: the host's own interfaces are any names (Docker's veth2…).
    const labThen = namespaceSection(lsThen.stdout, a);
    expect(labThen).toContain(" h0 ");
    expect(labThen).not.toContain(" h2 ");
    const dumpNow = JSON.parse(run(["dump", "--at", "now", "--db", db]).stdout);
    const ns = dumpNow.namespaces.find((n: any) => n.displayName === a);
    expect(ns.interfaces.map((i: any) => i.name).sort()).toEqual(["h0", "h1", "h2", "h3", "lo"]);
  });

  test("record --every keeps recording, --count stops it", () => {
    const r = run(["record", "--db", db, "--every", "100ms", "--count", "3"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n").map((l) => l.split(":")[0])).toEqual(["revision 3", "revision 4", "revision 5"]);
  });
});
