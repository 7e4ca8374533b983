// Migration 0002_alerts: a database written before the alert tables existed is brought up to date
// by the store's open(), and the alert engine works on it at once.

import { afterAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { drizzle } from "drizzle-orm/bun-sqlite";
import type { MigrationMeta } from "drizzle-orm/migrator";
import { AlertEngine } from "../../src/alerts/index.ts";
import { Store } from "../../src/store/index.ts";
import { APPLICATION_ID, embeddedMigrations } from "../../src/store/open.ts";
import { LiveDouble } from "../helpers/live-double.ts";
import { tempDir } from "../store/helpers.ts";
import { syntheticTopology } from "../store/synthetic.ts";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

test("a database from before the alert tables is migrated on open", async () => {
  const all = embeddedMigrations();
  const alertsAt = all.findIndex((m) => m.sql.some((s) => s.includes("CREATE TABLE `alert_rules`")));
  expect(alertsAt).toBeGreaterThan(0);
  // An older wiresight's database: only the migrations before the alerts.
  const sqlite = new Database(tmp.db, { create: true });
  sqlite.run(`PRAGMA application_id = ${APPLICATION_ID}`);
  const db = drizzle({ client: sqlite });
  const internals = db as unknown as { dialect: { migrate(m: MigrationMeta[], s: unknown, c: { migrationsTable: string }): void }; session: unknown };
  internals.dialect.migrate(all.slice(0, alertsAt), internals.session, { migrationsTable: "__drizzle_migrations" });
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
