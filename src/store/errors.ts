// Everything that can go wrong with a database file, as one error type with a message that
// names the file and says what to do. SQLite's own codes are translated here once.

/**
 * What kind of operational failure a StoreError is, when the database (not the request) is at
 * fault: servers hand it to clients as an error code (GraphQL `extensions.code`).
 */
export type StoreFailure = "DISK_FULL" | "DATABASE_LOCKED" | "DATABASE_READ_ONLY" | "DATABASE_CORRUPT" | "DATABASE_UNAVAILABLE";

export class StoreError extends Error {
  override name = "StoreError";
  constructor(
    message: string,
    /** Set when the database failed (full disk, locked, I/O…); unset when what was asked for is wrong or missing. */
    readonly failure?: StoreFailure,
  ) {
    super(message);
  }
}

/** Rephrases a SQLite error about `path` (other errors pass through unchanged). */
export function explain(path: string, err: unknown): unknown {
  if (err instanceof StoreError) return err;
  const code = (err as { code?: unknown }).code;
  if (typeof code !== "string" || !code.startsWith("SQLITE_")) return err;
  const base = code.replace(/^(SQLITE_[A-Z]+)(_.*)?$/, "$1");
  const detail = (err as Error).message;
  if (code === "SQLITE_READONLY_DIRECTORY" || code === "SQLITE_READONLY_CANTINIT")
    // WAL mode: even a reader must create PATH-shm (and PATH-wal) beside the database.
    return new StoreError(`${path}: no write access to its directory, which SQLite needs even to read it (it creates ${path}-shm there in WAL mode); run as its owner, or use a copy`, "DATABASE_READ_ONLY");
  switch (base) {
    case "SQLITE_NOTADB":
      return new StoreError(`${path} is not a SQLite database (or its header is corrupt); not touching it`, "DATABASE_CORRUPT");
    case "SQLITE_CORRUPT":
      return new StoreError(`${path} is corrupt (${detail}); not touching it: move it away and record anew`, "DATABASE_CORRUPT");
    case "SQLITE_BUSY":
    case "SQLITE_LOCKED":
      return new StoreError(`${path} is locked by another writer (${detail}); try again when it is done`, "DATABASE_LOCKED");
    case "SQLITE_READONLY":
      return new StoreError(`${path} is read-only here (${detail}); recording needs write access to it and its directory`, "DATABASE_READ_ONLY");
    case "SQLITE_CANTOPEN":
      return new StoreError(`cannot open ${path} (${detail}); check that its directory exists and is writable`, "DATABASE_UNAVAILABLE");
    case "SQLITE_FULL":
      return new StoreError(`${path}: the disk is full; nothing was recorded (free space, or keep less history with --keep)`, "DISK_FULL");
    case "SQLITE_PERM":
    case "SQLITE_AUTH":
      return new StoreError(`${path}: permission denied (${detail})`, "DATABASE_READ_ONLY");
    default:
      return new StoreError(`${path}: ${detail} (${code})`, "DATABASE_UNAVAILABLE");
  }
}
