// graphql-codegen (typescript + typescript-operations) with docs/codegen.ts, on every example of
// docs/graphql.md against the live schema, then `tsc --noEmit` over the generated types and a
// file that uses one type per example: the docs' operations are what a typed client builds on.
// Issue 20: the examples were anonymous ("This anonymous operation must be the only defined
// operation" ×8).

import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "@graphql-codegen/cli";
import { printSchema } from "graphql";
import config from "../../docs/codegen.ts";
import { buildSchema } from "../../src/schema/index.ts";
import { docsOperations } from "../../src/server/playground.ts";

const ROOT = join(import.meta.dir, "../..");
const dir = mkdtempSync(join(tmpdir(), "wiresight-codegen-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const typeName = (name: string, kind: string) => `${name}${kind[0]!.toUpperCase()}${kind.slice(1)}`;

test("codegen generates types for every example of the docs, and tsc accepts them", async () => {
  const ops = docsOperations(readFileSync(join(ROOT, "docs/graphql.md"), "utf8"));
  writeFileSync(join(dir, "schema.graphql"), printSchema(buildSchema()));
  ops.forEach((op, i) => writeFileSync(join(dir, `${String(i).padStart(2, "0")}-${op.name}.graphql`), `${op.source}\n`));
  // The docs' configuration, with its inputs and outputs moved here.
  const outputs = Object.fromEntries(Object.entries(config.generates).map(([target, output]) => [join(dir, target.split("/").at(-1)!), output]));
  expect(Object.keys(outputs).map((p) => p.split("/").at(-1))).toEqual(["wiresight-schema.ts", "wiresight-operations.ts"]);
  await generate({ ...config, schema: join(dir, "schema.graphql"), documents: [join(dir, "*.graphql")], generates: outputs, silent: true }, true);
  const generated = readFileSync(join(dir, "wiresight-operations.ts"), "utf8");
  // One result type and one variables type per example.
  const names = ops.map((op) => typeName(op.name, op.kind));
  for (const n of names) {
    expect(generated).toContain(`export type ${n} = `);
    expect(generated).toContain(`export type ${n}Variables = `);
  }
  // A client file using them: the types must be usable, not merely present.
  writeFileSync(
    join(dir, "client.ts"),
    `import type { ${names.join(", ")}, ${names.map((n) => `${n}Variables`).join(", ")} } from "./wiresight-operations.ts";\n` +
      `import type { Interface, VlanDetails } from "./wiresight-schema.ts";\n` +
      `export type SchemaTypes = [Interface, VlanDetails["vlanId"]];\n` +
      `export type Results = [${names.join(", ")}];\n` +
      `export type Variables = [${names.map((n) => `${n}Variables`).join(", ")}];\n` +
      // The node query's inline fragments are a union of the concrete types.
      `type N = NonNullable<NodeQuery["node"]>;\n` +
      `export function vlanIdOf(n: N): number | null { return n.__typename === "VlanInterface" ? (n.details?.vlanId ?? null) : null; }\n` +
      `export const listening: WhoListensQueryVariables = { port: 443 };\n`,
  );
  const tsc = Bun.spawnSync([join(ROOT, "node_modules/.bin/tsc"), "--noEmit", "--strict", "--skipLibCheck", "--target", "ESNext", "--module", "Preserve", "--moduleResolution", "bundler", "--allowImportingTsExtensions", join(dir, "client.ts")], { cwd: dir });
  const said = `${new TextDecoder().decode(tsc.stdout)}${new TextDecoder().decode(tsc.stderr)}`;
  expect(said).toBe("");
  expect(tsc.exitCode).toBe(0);
}, 120_000);
