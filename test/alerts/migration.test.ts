// Migration 0002_alerts: a database written before the alert tables existed is brought up to date
// by the store's open(), and the alert engine works on it at once.

import { afterAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { AlertEngine } from "../../src/alerts/index.ts";
import { Store } from "../../src/store/index.ts";
import { LiveDouble } from "../helpers/live-double.ts";
import { databaseBefore, tempDir } from "../store/helpers.ts";
import { syntheticTopology } from "../store/synthetic.ts";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

test("a database from before the alert tables is migrated on open", async () => {
  // An older wiresight's database: only the migrations before the alerts.
  const { sqlite, all } = databaseBefore(tmp.db, "CREATE TABLE `alert_rules`");
  sqlite.close();
  Store.open(tmp.db).close();
  const check = new Database(tmp.db, { readonly: true });
  expect(check.query("SELECT count(*) AS n FROM __drizzle_migrations").get()).toEqual({ n: all.length });
  expect(check.query("SELECT name FROM sqlite_master WHERE name LIKE 'alert%' AND type = 'table' ORDER BY name").all()).toEqual([
    { name: "alert_rules" },
    { name: "alert_transitions" },
    { name: "alerts" },
  ]);
  check.close();

  const store = Store.open(tmp.db);
  // The engine's clock is the recording's time: the built-in discovery-health rule compares the
  // two, so a wall clock would make it fire once the synthetic topology's date is in the past.
  const t0 = Date.now();
  const live = new LiveDouble(store, syntheticTopology(t0));
  const engine = AlertEngine.open({ store, live, now: () => t0, tickMs: null, warn: () => {} });
  engine.createRule({ name: "open ports", enabled: true, condition: { type: "wildcardListener", allowPorts: [] }, forMs: 0, severity: "info", webhook: null });
  expect(engine.alerts({ state: ["firing"] })).toHaveLength(1);
  expect(store.history().map((h) => h.revision)).toEqual([1]);
  await engine.close();
  store.close();
});
