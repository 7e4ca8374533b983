// What crosses between the thread that assembles and the reader Workers: tasks and their results,
// plain data only (structured clone: Maps, arrays, bigints, no classes), never JSON to re-parse.
// Sockets cross as fd numbers: fds belong to the process, so a socket a Worker opened inside some
// namespace is used, and closed, by whoever receives its number.

import type { Warning } from "../../model/topology.ts";
import type { NamespaceRead } from "../assembly.ts";
import type { NetnsCandidate } from "../procfs/namespaces.ts";
import type { ProcfsPass, ProcfsPassOptions } from "../procfs-pass.ts";
import type { NamespaceTarget, ReadOptions } from "../network/read-namespace.ts";
import type { NsidHandle, NsidQuestion } from "../network/resolve-nsids.ts";
import type { ReadDigest } from "./digest.ts";

export interface ReadTask {
  kind: "read";
  candidate: NetnsCandidate;
  bootId: string;
  target?: NamespaceTarget;
  options: ReadOptions;
  /**
   * Give the read's digest (a watcher compares reads by it); with the digest of the previous read
   * of this namespace, only `unchanged` comes back when the new one has the same (no copy of what
   * the caller already has). A one-shot discovery needs neither.
   */
  digest?: boolean;
  previousDigest?: ReadDigest;
}

export interface ReadResult {
  /** Null when the namespace could not be read (`warnings` says why). */
  namespace: NamespaceRead | null;
  warnings: Warning[];
  /** Of what the model is built from (the volatile socket counters left out), when asked for. */
  digest: ReadDigest | null;
  /** The read matched `previousDigest`: `namespace` is null, nothing changed. */
  unchanged: boolean;
  routeFd?: number;
  eventFd?: number;
}

export interface ProcfsTask {
  kind: "procfs";
  options: ProcfsPassOptions;
}

export interface NsidTask {
  kind: "nsids";
  subject: NsidHandle;
  selfId: number;
  questions: NsidQuestion[];
  /** Subject id → a socket in that namespace, for the candidates of the questions. */
  handles: Map<number, NsidHandle>;
  /** Ask every namespace in turn when no candidate answers (all handles given); false: leave it unanswered. */
  everyone: boolean;
}

export interface NsidResult {
  answers: Map<number, number | null>;
  queries: number;
  unanswered: number[];
}

export type Task = ReadTask | ProcfsTask | NsidTask;
export type ResultOf<T extends Task> = T extends ReadTask ? ReadResult : T extends ProcfsTask ? ProcfsPass : NsidResult;

export type Request = { id: number; task: Task };
/** The first message a reader gets: how to run. */
export interface Setup {
  setup: {
    /**
     * Its thread's nice value: a watcher's readers yield the CPU to the thread that serves
     * requests (kernel work done on their behalf included); a one-shot dump's do not.
     */
    nice: number;
  };
}
export type Response =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: string; fatal?: boolean };
