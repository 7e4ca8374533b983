// Issue 14, item 1: a glob can no longer freeze the server. Against the compiled binary (a
// frozen server must not freeze the test): `interfaces(name: "***…/")` over an interface with a
// 15-character name answers while /healthz keeps answering, an over-long glob is refused with the
// limit in the message, and an alert rule holding the same glob, stored in the database, lets
// `serve` start and listen again. With the RegExp matcher each of these hung for minutes.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { MAX_GLOB_LENGTH } from "../../src/model/glob.ts";
import { Lab, requireRoot } from "../helpers/lab.ts";
import { startServeBinary, type ServeProcess } from "../helpers/serve-binary.ts";

const root = requireRoot();
/** Only a bound on waiting: a linear matcher answers in milliseconds, the old one took minutes. */
const ANSWER_WITHIN_MS = 30_000;
/** Ends in "/", which the kernel refuses in an interface name (dev_valid_name): no name on any
 *  host matches, yet a backtracking matcher tries every split before it knows. */
const STARS_THEN_SLASH = `${"*".repeat(MAX_GLOB_LENGTH - 1)}/`;
const STAR_PAIRS = `${"*e".repeat(MAX_GLOB_LENGTH / 2 - 1)}*q`;

async function graphql(url: string, query: string, variables?: Record<string, unknown>): Promise<any> {
  const res = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
  });
  return res.json();
}

describe.if(root)("globs cannot freeze serve", () => {
  const lab = new Lab();
  let serve: ServeProcess;
  let ifname = "";

  beforeAll(async () => {
    const ns = lab.netns("gd");
    // The longest interface name there is: the one a backtracking matcher takes longest on.
    ifname = `${lab.prefix}-globdos`.slice(0, 15);
    lab.ip(ns, "link", "add", ifname, "type", "bridge");
    serve = await startServeBinary(["--db", join(lab.dir, "serve.db"), "--full-pass", "1h"]);
  }, 90_000);

  afterAll(async () => {
    await serve?.stop(5_000);
    lab.cleanup();
  }, 30_000);

  test.each([
    ["stars, then a character no interface name may have", STARS_THEN_SLASH, 0],
    ["star-letter pairs", STAR_PAIRS, 0],
    ["a glob that matches the lab interface", `${"*".repeat(40)}${lab.prefix}*[a-z]`, 1],
  ])(
    "interfaces(name: %s) answers, and /healthz answers meanwhile",
    async (_what, glob, expected) => {
      const query = graphql(serve.url, "query($g: String!) { interfaces(filter: { name: $g }) { totalCount edges { node { name } } } }", { g: glob });
      const health = fetch(`${serve.url}/healthz`, { signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
      const [body, h] = await Promise.all([query, health]);
      expect(body.errors).toBeUndefined();
      expect(body.data.interfaces.totalCount).toBe(expected);
      if (expected) expect(body.data.interfaces.edges[0].node.name).toBe(ifname);
      expect(h.status).toBe(200);
    },
    ANSWER_WITHIN_MS * 2,
  );

  test("a glob over the limit is refused, naming the limit; a malformed one says what is wrong", async () => {
    const long = await graphql(serve.url, `{ interfaces(filter: { name: "${"*".repeat(MAX_GLOB_LENGTH + 1)}" }) { totalCount } }`);
    expect(long.errors[0].message).toBe(`name: a glob may be at most ${MAX_GLOB_LENGTH} characters long, not ${MAX_GLOB_LENGTH + 1}`);
    expect(long.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    const open = await graphql(serve.url, `{ processes(filter: { name: "kwork[0-9" }) { totalCount } }`);
    expect(open.errors[0].message).toContain("is never closed");
  });

  test(
    "a stored rule with an adversarial glob does not stop serve from starting again",
    async () => {
      const created = await graphql(
        serve.url,
        `mutation($name: String!) { createAlertRule(input: { name: "adversarial", condition: { promiscuous: { name: $name } } }) { alertRule { id condition { ... on PromiscuousCondition { name } } } userErrors { message } } }`,
        { name: STARS_THEN_SLASH },
      );
      expect(created.errors).toBeUndefined();
      expect(created.data.createAlertRule.userErrors).toEqual([]);
      expect(created.data.createAlertRule.alertRule.condition.name).toBe(STARS_THEN_SLASH);
      expect(await serve.stop()).toBe(0);

      // Started again on the same database, without --rules: the stored rule is evaluated at start.
      serve = await startServeBinary(["--db", join(lab.dir, "serve.db"), "--full-pass", "1h"], { startMs: ANSWER_WITHIN_MS });
      const rules = await graphql(serve.url, "{ alertRules { name condition { ... on PromiscuousCondition { name } } } }");
      expect(rules.data.alertRules.find((r: any) => r.name === "adversarial").condition.name).toBe(STARS_THEN_SLASH);
      expect((await fetch(`${serve.url}/healthz`, { signal: AbortSignal.timeout(ANSWER_WITHIN_MS) })).status).toBe(200);
    },
    ANSWER_WITHIN_MS * 3,
  );

  test("a rule whose glob is malformed or too long is refused when created", async () => {
    const create = (name: string, glob: string) =>
      graphql(serve.url, `mutation($g: String!) { createAlertRule(input: { name: "${name}", condition: { interfaceDown: { name: $g } } }) { alertRule { id } userErrors { field message code } } }`, { g: glob });
    const bad = (await create("bad", "eth[9-0]")).data.createAlertRule;
    expect(bad.alertRule).toBeNull();
    expect(bad.userErrors).toEqual([{ field: ["input", "condition", "interfaceDown", "name"], message: expect.stringContaining("glob 'eth[9-0]': the range 9-0"), code: expect.any(String) }]);
    const long = (await create("long", "e".repeat(MAX_GLOB_LENGTH + 1))).data.createAlertRule;
    expect(long.alertRule).toBeNull();
    expect(long.userErrors).toEqual([{ field: ["input", "condition", "interfaceDown", "name"], message: `condition.name: a glob may be at most ${MAX_GLOB_LENGTH} characters long, not ${MAX_GLOB_LENGTH + 1}`, code: "INVALID" }]);
  });
});
