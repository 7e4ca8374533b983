// The store's public surface.
export { Store, type ChangeEvent, type Diff, type EntityDiff, type Moment, type RecordOptions, type RecordResult, type RecordScope, type RetentionPolicy, type Snapshot, type StoreInfo } from "./store.ts";
export { StoreError } from "./errors.ts";
export { KINDS } from "./registry.ts";
export type { FieldChange } from "./canonical.ts";
export { alertRules, alerts, alertTransitions } from "./alert-tables.ts";
