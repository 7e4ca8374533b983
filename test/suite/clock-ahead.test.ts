// No test may depend on the date or time it runs. This runs every test that handles times
// (alerts and their `for` durations and health rule, the store's revisions and `at:` times,
// GraphQL `at:`/history/diff, time arguments, the composed server's alert and replay) again,
// in a child `bun test` whose clock runs a year ahead (test/helpers/clock-ahead.ts). A test that
// compares a fixed date with the wall clock, or waits for a wall-clock moment, fails here today
// instead of on some later day.

import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const TIME_SENSITIVE = [
  "test/alerts",
  "test/store",
  "test/schema-graphql",
  "test/api",
  "test/cli/time-spec.test.ts",
  "test/cli/json-chunks.test.ts",
  "test/server/args.test.ts",
  "test/server/graphql-http.test.ts",
  "test/server/service.test.ts",
];

test("the time-sensitive tests pass with the clock a year ahead", () => {
  const top = join(import.meta.dir, "../..");
  const r = spawnSync(process.execPath, ["test", "--timeout", "60000", "--preload", "./test/helpers/clock-ahead.ts", ...TIME_SENSITIVE], {
    cwd: top,
    encoding: "utf8",
    env: { ...process.env, FORCE_COLOR: "0" },
    maxBuffer: 64 * 1024 * 1024,
  });
  const out = `${r.stdout}${r.stderr}`;
  const failed = [...out.matchAll(/^\(fail\) (.*)$/gm)].map((m) => m[1]);
  const passed = Number(/^\s*(\d+) pass$/m.exec(out)?.[1] ?? 0);
  expect({ failed, status: r.status }).toEqual({ failed: [], status: 0 });
  expect(passed).toBeGreaterThan(100); // the files really ran
}, 600_000);
