// The Ghostwire OpenAPI 3.0 spec's components as a JSON Schema (2020-12) that Ajv compiles in
// strict mode: `#/components/schemas/X` refs become `#/$defs/X`, OpenAPI's `nullable: true`
// becomes a "null" type, and `x-*` extensions and `example` are dropped (not JSON Schema).
// `Bun.YAML` parses the spec: no YAML dependency needed.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020, { type ErrorObject, type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";

type Json = any;

// A copy of Ghostwire's published spec (the shared ../shared/spec/ghostwire-v1.yaml), kept with the
// tests so a clean clone validates against it wherever it is checked out.
export const SPEC_PATH = process.env.GHOSTWIRE_SPEC ?? join(import.meta.dir, "fixtures", "ghostwire-v1.yaml");

function convert(node: Json): Json {
  if (Array.isArray(node)) return node.map(convert);
  if (node === null || typeof node !== "object") return node;
  const out: Json = {};
  for (const [k, v] of Object.entries<Json>(node)) {
    if (k.startsWith("x-") || k === "example" || k === "nullable") continue;
    if (k === "$ref" && typeof v === "string") out.$ref = v.replace("#/components/schemas/", "#/$defs/");
    else out[k] = convert(v);
  }
  if (node.nullable === true && out.type !== undefined) out.type = [out.type, "null"].flat();
  return out;
}

export function ghostwireSchemas(): { spec: Json; defs: Record<string, Json> } {
  const spec = Bun.YAML.parse(readFileSync(SPEC_PATH, "utf8")) as Json;
  if (!String(spec?.openapi).startsWith("3.0")) throw new Error(`${SPEC_PATH}: not an OpenAPI 3.0 document`);
  return { spec, defs: convert(spec.components.schemas) };
}

/** A validator for one component ("DiscoveryResult", "TargetDiscoveryResult"), strict. */
export function ghostwireValidator(component: string): ValidateFunction {
  const { defs } = ghostwireSchemas();
  if (!(component in defs)) throw new Error(`no component ${component} in ${SPEC_PATH}`);
  // strictTypes "log" would only warn on `labels` (additionalProperties without type); the spec
  // is not ours to fix, so types stay lax while unknown keywords and formats stay errors.
  const ajv = new Ajv2020({ strict: true, strictTypes: false, strictRequired: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile({ $defs: defs, $ref: `#/$defs/${component}` });
}

export function errorsOf(validate: ValidateFunction, doc: unknown): ErrorObject[] {
  return validate(doc) ? [] : [...(validate.errors ?? [])];
}

export function describeErrors(errors: ErrorObject[]): string {
  return errors.slice(0, 15).map((e) => `${e.instancePath || "/"} ${e.keyword}: ${e.message}`).join("\n");
}
