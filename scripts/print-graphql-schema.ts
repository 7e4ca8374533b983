// Writes the GraphQL schema's SDL to docs/schema.graphql and its possible types (for Apollo
// Client's cache) to docs/possible-types.json; test/schema-graphql/sdl.test.ts fails when either
// file is out of date. Run: bun scripts/print-graphql-schema.ts
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { printSchema } from "graphql";
import { buildSchema, possibleTypes } from "../src/schema/index.ts";

const schema = buildSchema();
writeFileSync(join(import.meta.dir, "../docs/schema.graphql"), `${printSchema(schema)}\n`);
writeFileSync(join(import.meta.dir, "../docs/possible-types.json"), `${JSON.stringify(possibleTypes(schema), null, 2)}\n`);
