// The alert engine's public surface (the contract types are in types.ts).
export { AlertEngine, BUILT_IN_HEALTH_RULE, type AlertEngineOptions } from "./engine.ts";
export { AlertRuleError, checkCondition, checkPatch, checkRuleInput, checkScope, checkWebhook, type AlertRuleErrorCode } from "./validate.ts";
export { parseRuleFile, readRuleFile, RuleFileError } from "./rule-file.ts";
export { signature, SIGNATURE_HEADER, TIMESTAMP_HEADER, type AlertmanagerWebhookPayload, type PostableAlert, type WebhookPayload } from "./webhook.ts";
export type { HistoryLimits } from "./alert-rows.ts";
export type * from "./types.ts";
