// Checking rule inputs that come from users (GraphQL mutations, the rules file): every problem is
// an AlertRuleError naming the field and saying what was expected and what came, because the
// message is shown as is. Works on `unknown`: callers need not trust their input's type.

import { compileGlob, GlobError } from "../model/glob.ts";
import { INTERFACE_KINDS } from "../model/interface-kinds.ts";
import { KINDS } from "../store/index.ts";
import type { AlertRuleInput, RuleCondition, RuleScope, Severity, WebhookFormat, WebhookTarget } from "./types.ts";

/** What kind of problem a rule call has: a bad value, a name in use, an unknown rule, a built-in rule's limits. */
export type AlertRuleErrorCode = "INVALID" | "TAKEN" | "NOT_FOUND" | "BUILT_IN";

export class AlertRuleError extends Error {
  override name = "AlertRuleError";
  constructor(
    message: string,
    /** The offending field as a path ("condition.allowPorts[2]"), when one is to blame. */
    readonly field: string | null = null,
    readonly code: AlertRuleErrorCode = "INVALID",
  ) {
    super(message);
  }
}

export const SEVERITIES: readonly Severity[] = ["info", "warning", "critical"];
export const CHANGE_OPS = ["added", "removed", "changed"] as const;
/** The store's entity kind names, which `change` rules match events by. */
export const CHANGE_KINDS: readonly string[] = KINDS.map((k) => k.name);

const MAX_NAME = 200;
/** A week: longer `for` durations are almost certainly a unit mistake (seconds vs ms). */
const MAX_FOR_MS = 7 * 24 * 3600_000;
const MIN_STALLED_MS = 1000;

const DEFAULTS = { enabled: true, forMs: 0, severity: "warning" as Severity, webhook: null, scope: null };

export const WEBHOOK_FORMATS: readonly WebhookFormat[] = ["wiresight", "alertmanager", "alertmanager-api"];
const MAX_HEADERS = 20;
// Headers the request itself decides: a rule setting them would break or smuggle the request.
const RESERVED_HEADERS = new Set(["content-type", "content-length", "host", "transfer-encoding", "connection", "x-wiresight-signature", "x-wiresight-timestamp"]);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function fail(field: string, message: string): never {
  throw new AlertRuleError(`${field}: ${message}`, field);
}

function show(v: unknown): string {
  if (v === undefined) return "nothing";
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function onlyKeys(o: Record<string, unknown>, field: string, allowed: string[]): void {
  for (const k of Object.keys(o))
    if (!allowed.includes(k)) fail(field === "" ? k : `${field}.${k}`, `unknown field (expected ${allowed.map((a) => `'${a}'`).join(", ")})`);
}

function bool(v: unknown, field: string): boolean {
  if (typeof v !== "boolean") fail(field, `must be true or false, got ${show(v)}`);
  return v;
}

function int(v: unknown, field: string, min: number, max: number, what = "an integer"): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) fail(field, `must be ${what} from ${min} to ${max}, got ${show(v)}`);
  return v;
}

function nonEmptyString(v: unknown, field: string, max = MAX_NAME): string {
  if (typeof v !== "string" || v.trim() === "") fail(field, `must be a non-empty string, got ${show(v)}`);
  if (v.length > max) fail(field, `must be at most ${max} characters long (got ${v.length})`);
  return v;
}

/** A name glob (src/model/glob.ts): compiled here, so a rule that could not be matched is never stored. */
function glob(v: unknown, field: string): string {
  const pattern = nonEmptyString(v, field);
  try {
    compileGlob(pattern);
  } catch (err) {
    if (err instanceof GlobError) fail(field, err.message);
    throw err;
  }
  return pattern;
}

function oneOf<T extends string>(v: unknown, field: string, allowed: readonly T[]): T {
  if (typeof v !== "string" || !allowed.includes(v as T)) fail(field, `must be one of ${allowed.map((a) => `'${a}'`).join(", ")}, got ${show(v)}`);
  return v as T;
}

function listOf<T>(v: unknown, field: string, item: (x: unknown, field: string) => T, opts: { nonEmpty?: boolean } = {}): T[] {
  if (!Array.isArray(v)) fail(field, `must be a list, got ${show(v)}`);
  if (opts.nonEmpty && v.length === 0) fail(field, "must not be empty");
  return v.map((x, i) => item(x, `${field}[${i}]`));
}

/**
 * A webhook: a URL (wiresight's format, no headers, unsigned), or an object { url, format?,
 * headers?, secret? }, or null for none.
 */
export function checkWebhook(v: unknown, field = "webhook"): WebhookTarget | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return { url: checkWebhookUrl(v, field), format: "wiresight", headers: {}, secret: null };
  if (!isObject(v)) fail(field, `must be an http(s) URL, an object with a 'url', or null, got ${show(v)}`);
  onlyKeys(v, field, ["url", "format", "headers", "secret"]);
  const url = checkWebhookUrl(v.url, `${field}.url`);
  const format = v.format === undefined ? "wiresight" : oneOf(v.format, `${field}.format`, WEBHOOK_FORMATS);
  const headers: Record<string, string> = {};
  if (v.headers !== undefined) {
    if (!isObject(v.headers)) fail(`${field}.headers`, `must be an object of header names to values, got ${show(v.headers)}`);
    const entries = Object.entries(v.headers);
    if (entries.length > MAX_HEADERS) fail(`${field}.headers`, `at most ${MAX_HEADERS} headers, got ${entries.length}`);
    for (const [name, value] of entries) {
      const f = `${field}.headers.${name}`;
      if (!HEADER_NAME.test(name)) fail(f, "is not a valid header name");
      if (RESERVED_HEADERS.has(name.toLowerCase())) fail(f, "is set by wiresight itself");
      if (typeof value !== "string" || /[\r\n\0]/.test(value) || value.length > 4096) fail(f, `must be a string of at most 4096 characters without line breaks, got ${show(value)}`);
      headers[name] = value;
    }
  }
  let secret: string | null = null;
  if (v.secret !== undefined && v.secret !== null) {
    if (typeof v.secret !== "string" || v.secret.length < 16 || v.secret.length > 512) fail(`${field}.secret`, "must be a string of 16 to 512 characters");
    secret = v.secret;
  }
  return { url, format, headers, secret };
}

/** Scope: { namespaces?, containers? }, each a non-empty list of names, keys or globs; null for everywhere. */
export function checkScope(v: unknown, field = "scope"): RuleScope | null {
  if (v === null || v === undefined) return null;
  if (!isObject(v)) fail(field, `must be an object with 'namespaces' and/or 'containers', got ${show(v)}`);
  onlyKeys(v, field, ["namespaces", "containers"]);
  const out: RuleScope = {};
  for (const key of ["namespaces", "containers"] as const) {
    if (v[key] === undefined || v[key] === null) continue;
    out[key] = listOf(v[key], `${field}.${key}`, (x, f) => nonEmptyString(x, f), { nonEmpty: true });
  }
  return out.namespaces || out.containers ? out : null;
}

/** A webhook URL: absolute http or https with a host; anything else (file:, javascript:, relative) is refused. */
function checkWebhookUrl(v: unknown, field: string): string {
  if (typeof v !== "string" || v.trim() === "") fail(field, `must be an http or https URL, got ${show(v)}`);
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    fail(field, `is not a valid URL: ${show(v)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") fail(field, `must use http or https, not ${url.protocol.replace(/:$/, "")}: ${show(v)}`);
  if (url.hostname === "") fail(field, `has no host: ${show(v)}`);
  return url.toString();
}

/** A RuleCondition, checked field by field; unknown fields are errors (a typo would otherwise be ignored silently). */
export function checkCondition(v: unknown, field = "condition"): RuleCondition {
  if (!isObject(v)) fail(field, `must be an object with a 'type', got ${show(v)}`);
  const types = ["wildcardListener", "interfaceDown", "promiscuous", "containerLeftBridge", "namespaceWithoutTenant", "change", "discoveryHealth"] as const;
  const type = oneOf(v.type, `${field}.type`, types);
  const opt = <T>(key: string, check: (x: unknown, f: string) => T): T | undefined =>
    v[key] === undefined ? undefined : check(v[key], `${field}.${key}`);
  switch (type) {
    case "wildcardListener": {
      onlyKeys(v, field, ["type", "allowPorts", "protocols"]);
      const allowPorts = v.allowPorts === undefined ? [] : listOf(v.allowPorts, `${field}.allowPorts`, (x, f) => int(x, f, 1, 65535, "a port"));
      const protocols = opt("protocols", (x, f) => listOf(x, f, (p, pf) => oneOf(p, pf, ["tcp", "udp"] as const), { nonEmpty: true }));
      return protocols ? { type, allowPorts, protocols } : { type, allowPorts };
    }
    case "interfaceDown":
    case "promiscuous": {
      onlyKeys(v, field, ["type", "name", "kinds"]);
      const name = opt("name", glob);
      const kinds = opt("kinds", (x, f) => listOf(x, f, (k, kf) => oneOf(k, kf, INTERFACE_KINDS), { nonEmpty: true }));
      return { type, ...(name !== undefined && { name }), ...(kinds !== undefined && { kinds }) };
    }
    case "containerLeftBridge": {
      onlyKeys(v, field, ["type", "network"]);
      const network = opt("network", (x, f) => nonEmptyString(x, f));
      return network !== undefined ? { type, network } : { type };
    }
    case "namespaceWithoutTenant": {
      onlyKeys(v, field, ["type", "ignoreBindMounted"]);
      const ignoreBindMounted = opt("ignoreBindMounted", bool);
      return ignoreBindMounted !== undefined ? { type, ignoreBindMounted } : { type };
    }
    case "change": {
      onlyKeys(v, field, ["type", "kinds", "ops", "fields"]);
      const kinds = listOf(v.kinds, `${field}.kinds`, (k, f) => oneOf(k, f, CHANGE_KINDS), { nonEmpty: true });
      const ops = opt("ops", (x, f) => listOf(x, f, (o, of) => oneOf(o, of, CHANGE_OPS), { nonEmpty: true }));
      const fields = opt("fields", (x, f) => listOf(x, f, (n, nf) => nonEmptyString(n, nf), { nonEmpty: true }));
      return { type, kinds, ...(ops !== undefined && { ops }), ...(fields !== undefined && { fields }) };
    }
    case "discoveryHealth": {
      onlyKeys(v, field, ["type", "stalledAfterMs"]);
      return { type, stalledAfterMs: int(v.stalledAfterMs, `${field}.stalledAfterMs`, MIN_STALLED_MS, MAX_FOR_MS, "a duration in ms") };
    }
  }
}

const INPUT_FIELDS = ["name", "enabled", "condition", "forMs", "severity", "webhook", "scope"];

/**
 * A complete rule input: `name` and `condition` are required; `enabled` (true), `forMs` (0),
 * `severity` ("warning") and `webhook` (null) may be left out.
 */
export function checkRuleInput(v: unknown): AlertRuleInput {
  if (!isObject(v)) throw new AlertRuleError(`a rule must be an object, got ${show(v)}`);
  onlyKeys(v, "", INPUT_FIELDS);
  if (v.name === undefined) fail("name", "is required");
  if (v.condition === undefined) fail("condition", "is required");
  return checkPatch({ ...DEFAULTS, ...v }) as AlertRuleInput;
}

/** A partial update: only the fields present are checked (and returned). */
export function checkPatch(v: unknown): Partial<AlertRuleInput> {
  if (!isObject(v)) throw new AlertRuleError(`a rule update must be an object, got ${show(v)}`);
  onlyKeys(v, "", INPUT_FIELDS);
  const out: Partial<AlertRuleInput> = {};
  if (v.name !== undefined) out.name = nonEmptyString(v.name, "name").trim();
  if (v.enabled !== undefined) out.enabled = bool(v.enabled, "enabled");
  if (v.condition !== undefined) out.condition = checkCondition(v.condition);
  if (v.forMs !== undefined) out.forMs = int(v.forMs, "forMs", 0, MAX_FOR_MS, "a duration in ms");
  if (v.severity !== undefined) out.severity = oneOf(v.severity, "severity", SEVERITIES);
  if (v.webhook !== undefined) out.webhook = checkWebhook(v.webhook);
  if (v.scope !== undefined) out.scope = checkScope(v.scope);
  // A `change` condition holds for a moment (the revision that made the change): waiting for
  // it to hold longer would never fire.
  if (out.condition?.type === "change" && out.forMs !== undefined && out.forMs > 0)
    fail("forMs", "must be 0 for a 'change' condition (a change is momentary: it fires and resolves at the revision that made it)");
  return out;
}
