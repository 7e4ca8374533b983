// The alert engine's public surface (the contract types are in types.ts).
export { AlertEngine, BUILT_IN_HEALTH_RULE, type AlertEngineOptions } from "./engine.ts";
export { AlertRuleError, checkCondition, checkPatch, checkRuleInput, checkWebhook } from "./validate.ts";
export { parseRuleFile, readRuleFile, RuleFileError } from "./rule-file.ts";
export type { WebhookPayload } from "./webhook.ts";
export type { HistoryLimits } from "./alert-rows.ts";
export type * from "./types.ts";
