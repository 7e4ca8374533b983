// graphql-codegen 7 configuration for a TypeScript client of wiresight (`npx graphql-codegen
// --config codegen.ts`): the schema's types (`typescript`) in one file and your operations' types
// (`typescript-operations`, which since codegen 7 writes the enums and inputs the operations use
// itself) in another — in one file the two plugins would declare each enum twice. The test suite
// runs this on every example of docs/graphql.md, then `tsc --noEmit`.
import type { CodegenConfig } from "@graphql-codegen/cli";

const scalars = {
  DateTime: { input: "string", output: "string" },
  Moment: { input: "string | number", output: "string | number" },
  JSON: { input: "unknown", output: "unknown" },
};

const config: CodegenConfig = {
  // A running server (with a token: { "http://127.0.0.1:5000/graphql": { headers: { Authorization: "Bearer …" } } }), or docs/schema.graphql.
  schema: "http://127.0.0.1:5000/graphql",
  // Your operations, each named.
  documents: ["src/**/*.graphql"],
  generates: {
    "src/generated/wiresight-schema.ts": { plugins: ["typescript"], config: { scalars, strictScalars: true, enumsAsTypes: true, useTypeImports: true } },
    "src/generated/wiresight-operations.ts": { plugins: ["typescript-operations"], config: { scalars, strictScalars: true, useTypeImports: true } },
  },
};

export default config;
