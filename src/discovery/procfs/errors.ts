// Internal helpers shared by the procfs readers: how a failed /proc access is classified.

/** The errno code of a node:fs error ("EACCES", "ENOENT", …), or "EUNKNOWN". */
export function errnoCode(err: unknown): string {
  if (err && typeof err === "object" && "code" in err && typeof err.code === "string") return err.code;
  return "EUNKNOWN";
}

/**
 * A process (or thread, or fd) that exited between readdir and read: ENOENT, or ESRCH which some
 * /proc files return for a task that is being torn down. Skipped silently, never warned about.
 */
export function isVanished(err: unknown): boolean {
  const code = errnoCode(err);
  return code === "ENOENT" || code === "ESRCH";
}

/** Short human text for an errno code, for warnings. */
export function describeErrno(code: string): string {
  switch (code) {
    case "EACCES":
      return "permission denied";
    case "EPERM":
      return "operation not permitted";
    case "ELOOP":
      return "too many levels of symbolic links";
    case "EIO":
      return "I/O error";
    case "EINVAL":
      return "invalid argument";
    case "ENOTDIR":
      return "not a directory";
    default:
      return code;
  }
}

/**
 * Collects read failures per pid and renders them as ONE warning per process, so that an
 * unreadable PID 1 (ns links, fds, root, all EACCES) costs one line, not dozens.
 */
export class PidFailures {
  private readonly byPid = new Map<number, { comm: string; failures: Map<string, string> }>();

  /** Record that `what` (e.g. "ns/net", "fd/3", "task/59/ns/net") of `pid` failed with `code`. */
  add(pid: number, comm: string | undefined, what: string, code: string): void {
    let entry = this.byPid.get(pid);
    if (!entry) {
      entry = { comm: comm ?? "?", failures: new Map() };
      this.byPid.set(pid, entry);
    }
    if (!entry.failures.has(what)) entry.failures.set(what, code);
  }

  has(pid: number): boolean {
    return this.byPid.has(pid);
  }

  /** One warning string per pid, in pid order. */
  render(consequence: string): string[] {
    const out: string[] = [];
    for (const pid of [...this.byPid.keys()].sort((a, b) => a - b)) {
      const entry = this.byPid.get(pid)!;
      const parts = [...entry.failures].map(([what, code]) => `${what}: ${code} (${describeErrno(code)})`);
      out.push(`pid ${pid} (${entry.comm}): cannot read ${parts.join(", ")}; ${consequence}`);
    }
    return out;
  }
}
