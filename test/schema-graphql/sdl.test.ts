// docs/schema.graphql is the schema users read: it must be what buildSchema() serves.
// Regenerate with `bun scripts/print-graphql-schema.ts`.

import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { printSchema } from "graphql";
import { buildSchema } from "../../src/schema/index.ts";

test("docs/schema.graphql is up to date (run: bun scripts/print-graphql-schema.ts)", () => {
  const file = readFileSync(join(import.meta.dir, "../../docs/schema.graphql"), "utf8");
  expect(file).toBe(`${printSchema(buildSchema())}\n`);
});
