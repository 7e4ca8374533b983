// docs/schema.graphql is the schema users read, and docs/possible-types.json what Apollo Client's
// cache needs of it: both must be what buildSchema() serves.
// Regenerate with `bun scripts/print-graphql-schema.ts`.

import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { printSchema } from "graphql";
import { buildSchema, possibleTypes } from "../../src/schema/index.ts";

const docs = (name: string) => readFileSync(join(import.meta.dir, "../../docs", name), "utf8");

test("docs/schema.graphql is up to date (run: bun scripts/print-graphql-schema.ts)", () => {
  expect(docs("schema.graphql")).toBe(`${printSchema(buildSchema())}\n`);
});

test("docs/possible-types.json is up to date and lists every interface and union", () => {
  const types = JSON.parse(docs("possible-types.json")) as Record<string, string[]>;
  expect(types).toEqual(possibleTypes(buildSchema()));
  expect(Object.keys(types)).toEqual(["AlertCondition", "Interface", "Node", "TopologyChange"]);
  expect(types.Interface).toContain("VlanInterface");
  expect(types.Node).toContain("Alert");
});
