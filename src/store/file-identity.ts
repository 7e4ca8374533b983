// Whose file is at a database path, decided from its first 100 bytes read with plain file I/O,
// before SQLite ever opens it. SQLite cannot be asked safely: opening another program's
// database, even only to read its application id, lets SQLite fold that program's write-ahead
// log into its file and delete the log when the connection closes (issue 14). So: a missing
// file is ours to create; a file whose header carries our application id is ours; anything else
// (an empty file, text, another program's SQLite file, one with only a user_version) is refused
// with a StoreError that names it, and nothing beside it is created.

import { closeSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import { StoreError } from "./errors.ts";

/** PRAGMA application_id of a wiresight database ("WiSi"): how we recognise our own files. */
export const APPLICATION_ID = 0x57695369;

// https://www.sqlite.org/fileformat2.html#the_database_header
const HEADER_BYTES = 100;
const MAGIC = "SQLite format 3\0";
const USER_VERSION_OFFSET = 60;
const APPLICATION_ID_OFFSET = 68;

export type FileIdentity = "missing" | "ours";

/** "missing" or "ours"; a StoreError for everything else. */
export function identifyDatabaseFile(path: string): FileIdentity {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === "ENOENT") return "missing";
    if (e.code === "EACCES" || e.code === "EPERM") {
      throw new StoreError(`${path}: permission denied reading it (${ownerOf(path)}); run as its owner or root, or give another --db`, "DATABASE_READ_ONLY");
    }
    if (e.code === "ENOTDIR") throw new StoreError(`${path}: a part of the path is not a directory`);
    throw new StoreError(`cannot open ${path}: ${e.message}`, "DATABASE_UNAVAILABLE");
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new StoreError(`${path} is a directory: give the path of a database file in it (e.g. ${path.replace(/\/$/, "")}/wiresight.db)`);
    if (!st.isFile()) throw new StoreError(`${path} is not a regular file; not touching it`);
    if (st.size === 0) {
      throw new StoreError(`${path} is an empty file that wiresight did not create; not touching it (remove it, or give a path that does not exist yet)`);
    }
    const header = Buffer.alloc(HEADER_BYTES);
    const n = readSync(fd, header, 0, HEADER_BYTES, 0);
    if (n < HEADER_BYTES || header.toString("latin1", 0, MAGIC.length) !== MAGIC) {
      throw new StoreError(`${path} is not a SQLite database (or its header is corrupt); not touching it`, "DATABASE_CORRUPT");
    }
    const appId = header.readUInt32BE(APPLICATION_ID_OFFSET);
    if (appId === APPLICATION_ID) return "ours";
    const userVersion = header.readUInt32BE(USER_VERSION_OFFSET);
    const whose = appId !== 0 ? `application id 0x${appId.toString(16)}` : userVersion !== 0 ? `user_version ${userVersion}, no wiresight id` : "no wiresight id";
    throw new StoreError(`${path} is not a wiresight database (a SQLite file of another program: ${whose}); not touching it`);
  } finally {
    closeSync(fd);
  }
}

/** "owner uid 0, mode 0600", for a file we may not read. */
function ownerOf(path: string): string {
  try {
    const st = statSync(path);
    return `owner uid ${st.uid}, mode ${(st.mode & 0o777).toString(8).padStart(4, "0")}`;
  } catch {
    return "its directory cannot be searched";
  }
}
