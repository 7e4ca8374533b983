// A mistake in how the command was called: printed as one clear line plus a hint, exit code 2,
// never a stack trace.
export class UsageError extends Error {
  override name = "UsageError";
}
