// A closed stdout or stderr ends the command quietly with status 0, as `ip` and `ss` end when
// the reader is gone (`wiresight dump --pretty | head -1`): the reader has what it wanted.
// Bun ignores SIGPIPE, so a write to a closed pipe fails with EPIPE instead — thrown by the
// write, or emitted later as the stream's "error" — and unhandled, that became a stack trace and
// status 1. A command that handles its output's errors itself (capture stops and reports) keeps
// doing so: the exit here happens only when nothing else listens.

/** True for the error of a write to a pipe (or socket) whose reader has gone. */
export function isClosedOutput(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === "EPIPE";
}

/** Makes EPIPE on stdout or stderr end the process with status 0 and no message. */
export function endQuietlyWhenOutputCloses(): void {
  for (const stream of [process.stdout, process.stderr]) {
    const onError = (err: unknown) => {
      if (!isClosedOutput(err)) throw err;
      if (stream.listeners("error").some((l) => l !== onError)) return; // the command handles it
      process.exit(0);
    };
    stream.on("error", onError);
  }
}
