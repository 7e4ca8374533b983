// drizzle-kit finds tables among a schema module's named exports; the store's tables are made
// from the kind registry, so this module (read by drizzle-kit only) names each of them.
const { snapshots } = require("./schema.ts");
const { KINDS } = require("./registry.ts");

module.exports = { snapshots, ...Object.fromEntries(KINDS.map((k) => [`${k.name}Versions`, k.table])) };
