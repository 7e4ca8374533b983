// Writes the GraphQL schema's SDL to docs/schema.graphql (test/schema-graphql/sdl.test.ts fails
// when that file is out of date). Run: bun scripts/print-graphql-schema.ts
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { printSchema } from "graphql";
import { buildSchema } from "../src/schema/index.ts";

writeFileSync(join(import.meta.dir, "../docs/schema.graphql"), `${printSchema(buildSchema())}\n`);
