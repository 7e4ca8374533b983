// drizzle-kit finds tables among a schema module's named exports; the store's tables are made
// from the kind registry, so this module (read by drizzle-kit only) names each of them, plus the
// alert engine's tables (alert-tables.ts), which live in the same file and migration chain.
const { snapshots } = require("./schema.ts");
const { KINDS } = require("./registry.ts");
const { alertRules, alerts, alertTransitions } = require("./alert-tables.ts");

module.exports = { snapshots, ...Object.fromEntries(KINDS.map((k) => [`${k.name}Versions`, k.table])), alertRules, alerts, alertTransitions };
