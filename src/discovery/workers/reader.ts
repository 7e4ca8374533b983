// A reader Worker: the thread where namespace switches happen, off the thread that answers
// requests. It runs one task at a time, synchronously (a switch never spans an await), and
// after each checks that its thread is back in the namespace it started in
// (/proc/thread-self/ns/net): a thread left elsewhere would read the wrong namespace from then
// on, so that is fatal for the Worker.
//
// This file is an entry point of the compiled binary (package.json's build lists it).

import { closeOriginalNetnsFd, closeOriginalUtsFd, closeQuietly, setThreadNice, threadNetnsInode } from "../../ffi/index.ts";
import { askNsids } from "../network/resolve-nsids.ts";
import { readNamespace } from "../network/read-namespace.ts";
import { runProcfsPass } from "../procfs-pass.ts";
import { digestOf, sameRead } from "./digest.ts";
import type { NsidResult, NsidTask, ReadResult, ReadTask, Request, Response, Setup } from "./protocol.ts";

declare const self: Worker;

const home = threadNetnsInode();

function read(task: ReadTask): ReadResult {
  const r = readNamespace(task.candidate, task.bootId, task.options, task.target);
  const ns = r.namespace;
  if (!ns) return { namespace: null, warnings: r.warnings, digest: null, unchanged: false };
  const digest = task.digest ? digestOf(ns) : null;
  const routeFd = ns.routeSocket?.release();
  const eventFd = ns.eventSocket?.release();
  if (digest !== null && sameRead(digest, task.previousDigest)) {
    // The caller has this very read already. A kept socket is still handed over.
    return { namespace: null, warnings: r.warnings, digest, unchanged: true, routeFd, eventFd };
  }
  const { candidate, raw, key, rules, sets, drivers, warnings, restWarnings, partial } = ns;
  const read = { candidate, raw, key, rules, sets, drivers, warnings, restWarnings, ...(partial ? { partial } : {}) };
  return { namespace: read, warnings: r.warnings, digest, unchanged: false, routeFd, eventFd };
}

function nsids(task: NsidTask): NsidResult {
  const answers = new Map<number, number | null>();
  const r = askNsids(task.subject, task.selfId, task.questions, (id) => task.handles.get(id), task.everyone ? task.handles.keys() : null, answers);
  return { answers, ...r };
}

/**
 * Reading leaves garbage (decoded messages, the digest's text, clone buffers) that nothing
 * collects while the Worker sits idle between passes: collected once it has been idle a while,
 * so an idle reader holds little memory.
 */
const IDLE_COLLECT_MS = 1_000;
let idle: ReturnType<typeof setTimeout> | undefined;

self.onmessage = (event: MessageEvent<Request | Setup | "close">) => {
  clearTimeout(idle);
  if (typeof event.data === "object" && "setup" in event.data) {
    try {
      if (event.data.setup.nice !== 0) setThreadNice(event.data.setup.nice);
    } catch {
      // Not allowed (a seccomp filter, say): it reads at the same priority, that is all.
    }
    return;
  }
  if (event.data === "close") {
    // fds belong to the process: what this thread cached must not outlive it.
    closeOriginalNetnsFd();
    closeOriginalUtsFd();
    process.exit(0);
  }
  const { id, task } = event.data;
  let response: Response;
  try {
    const value = task.kind === "read" ? read(task) : task.kind === "procfs" ? runProcfsPass(task.options) : nsids(task);
    response = { id, ok: true, value };
  } catch (err) {
    response = { id, ok: false, error: (err as Error).message ?? String(err) };
  }
  const now = threadNetnsInode();
  if (now !== home) {
    // Whatever the task returned may have been read in the wrong place: drop its sockets too.
    if (response.ok) {
      const v = response.value as Partial<ReadResult>;
      closeQuietly(v.routeFd ?? -1);
      closeQuietly(v.eventFd ?? -1);
    }
    response = { id, ok: false, fatal: true, error: `reader thread left in net:[${now}] instead of net:[${home}] after a ${task.kind} task` };
  }
  self.postMessage(response);
  idle = setTimeout(() => Bun.gc(true), IDLE_COLLECT_MS);
};
