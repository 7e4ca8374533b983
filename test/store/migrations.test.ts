// The migrations: the embedded list matches what drizzle-kit generated (so the binary carries
// every one), the schema has no change that lacks a migration, and drizzle's own folder-based
// migrator and ours produce the same database.

import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { spawnSync } from "node:child_process";
import { cpSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { migrate } from "drizzle-orm/bun-sqlite/migrator";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { embeddedSource } from "../../scripts/embed-migrations.ts";
import { Store } from "../../src/store/index.ts";
import { APPLICATION_ID, embeddedMigrations } from "../../src/store/open.ts";
import { tempDir } from "./helpers.ts";

const repo = join(import.meta.dir, "../..");
const folder = join(repo, "src/store/migrations");
const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe("migrations", () => {
  test("embedded.ts is current (npm run db:generate writes it)", () => {
    expect(readFileSync(join(folder, "embedded.ts"), "utf8")).toBe(embeddedSource());
  });

  test("the embedded migrations are exactly what drizzle reads from the folder", () => {
    expect(embeddedMigrations()).toEqual(readMigrationFiles({ migrationsFolder: folder }));
  });

  test("the schema has no change without a migration (drizzle-kit generates nothing new)", () => {
    const out = join(tmp.dir, "migrations");
    cpSync(folder, out, { recursive: true });
    const config = join(tmp.dir, "drizzle.config.ts");
    // drizzle-kit takes `out` relative to its working directory (the repository)
    writeFileSync(config, `export default ${JSON.stringify({ dialect: "sqlite", schema: "./src/store/drizzle-kit-schema.cjs", out: relative(repo, out) })};\n`);
    const r = spawnSync(join(repo, "node_modules/.bin/drizzle-kit"), ["generate", "--config", config], { encoding: "utf8", cwd: repo });
    expect(r.status).toBe(0);
    expect(r.stdout + r.stderr).toContain("No schema changes");
    expect(readdirSync(out).sort()).toEqual(readdirSync(folder).sort());
  }, 60_000);

  test("a database migrated by drizzle's folder migrator is one we open and use", () => {
    const path = join(tmp.dir, "by-drizzle.db");
    const sqlite = new Database(path, { create: true });
    sqlite.run(`PRAGMA application_id = ${APPLICATION_ID}`);
    migrate(drizzle({ client: sqlite }), { migrationsFolder: folder });
    sqlite.close();
    const s = Store.open(path);
    expect(s.info().revisions.count).toBe(0);
    s.close();
  });
});
