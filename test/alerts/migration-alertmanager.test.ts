// Migration 0003_alertmanager: rules and alerts stored before webhooks had formats, headers and
// secrets, rules had scopes and alerts had labels and annotations come back whole after the
// store's open() brings the file up to date: an old rule's webhook URL is a wiresight-format
// webhook, an old alert has no labels yet and gets them at its next evaluation.

import { afterAll, expect, test } from "bun:test";
import { AlertEngine } from "../../src/alerts/index.ts";
import { Store } from "../../src/store/index.ts";
import { LiveDouble } from "../helpers/live-double.ts";
import { databaseBefore, tempDir } from "../store/helpers.ts";
import { syntheticTopology } from "../store/synthetic.ts";

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);
const tmp = tempDir();
afterAll(() => tmp.cleanup());

test("rules and alerts written before 0003 are read whole after the migration", async () => {
  const { sqlite } = databaseBefore(tmp.db, "ALTER TABLE `alert_rules` ADD `webhook_format`");
  // What an older wiresight wrote: a rule with a webhook URL, and its firing alert.
  sqlite.run(
    "INSERT INTO alert_rules (id, name, enabled, condition, for_ms, severity, webhook, built_in, created_at, updated_at) VALUES ('r1', 'open ports', 1, ?, 0, 'warning', 'http://127.0.0.1:9/hook', 0, ?, ?)",
    [JSON.stringify({ type: "wildcardListener", allowPorts: [] }), T0, T0],
  );
  const subject = "netns:00000000-0000-4000-8000-000000000001:4097/sock:77";
  sqlite.run(
    "INSERT INTO alerts (id, rule_id, rule_name, severity, state, subject, entities, message, since, fired_at, resolved_at, revision, changed_at) VALUES ('a1', 'r1', 'open ports', 'warning', 'firing', ?, ?, 'm', ?, ?, NULL, 1, ?)",
    [subject, JSON.stringify([subject]), T0, T0, T0],
  );
  sqlite.close();

  const store = Store.open(tmp.db);
  const live = new LiveDouble(store, syntheticTopology(T0));
  const engine = AlertEngine.open({ store, live, now: () => T0, tickMs: null, warn: () => {} });
  try {
    expect(engine.rule("r1")).toMatchObject({ webhook: { url: "http://127.0.0.1:9/hook", format: "wiresight", headers: {}, secret: null }, scope: null });
    // Resumed (same alert), and the evaluation at open gave it its labels.
    const [a] = engine.alerts({ ruleId: "r1" });
    expect(a).toMatchObject({ id: "a1", state: "firing", labels: { alertname: "open ports", severity: "warning", namespace: "blue", subject } });
    expect(a!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  } finally {
    await engine.close();
    store.close();
  }
});
