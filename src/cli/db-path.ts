// Where the history database lives unless --db says otherwise: $WIRESIGHT_DB, else the system
// state directory as root, else the user's XDG state directory.

import { homedir } from "node:os";
import { join } from "node:path";

export const DB_ENV = "WIRESIGHT_DB";
export const SYSTEM_DB = "/var/lib/wiresight/wiresight.db";

export const DB_PATH_HELP = `The database is --db PATH, else $${DB_ENV}, else ${SYSTEM_DB} as root,
else $XDG_STATE_HOME/wiresight/wiresight.db (default ~/.local/state/wiresight/wiresight.db).`;

export function defaultDbPath(env: NodeJS.ProcessEnv = process.env, uid: number | undefined = process.getuid?.()): string {
  if (env[DB_ENV]) return env[DB_ENV];
  if (uid === 0) return SYSTEM_DB;
  const state = env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith("/") ? env.XDG_STATE_HOME : join(env.HOME || homedir(), ".local/state");
  return join(state, "wiresight", "wiresight.db");
}

export function dbPath(flag: string | undefined): string {
  return flag ?? defaultDbPath();
}
