// SIGTERM / SIGINT for `wiresight serve`: the first one stops the server gracefully (websockets,
// SSE streams and captures closed, onShutdown awaited) and then calls onStop (which exits); a
// second one while that runs exits at once, for when something hangs.

import type { RunningServer } from "./server.ts";

const SIGNALS = ["SIGTERM", "SIGINT"] as const;
const SIGNAL_NUMBERS: Record<(typeof SIGNALS)[number], number> = { SIGINT: 2, SIGTERM: 15 };

/** Returns a function that removes the handlers. */
export function installSignalHandlers(
  server: Pick<RunningServer, "stop">,
  onStop: (signal: NodeJS.Signals, error?: unknown) => void,
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): () => void {
  let received: NodeJS.Signals | undefined;
  const handler = (signal: (typeof SIGNALS)[number]) => {
    if (received) {
      log(`wiresight serve: ${signal} again, exiting without waiting`);
      process.exit(128 + SIGNAL_NUMBERS[signal]);
    }
    received = signal;
    log(`wiresight serve: ${signal}, shutting down (again to force)`);
    server.stop().then(
      () => onStop(signal),
      (e: unknown) => onStop(signal, e),
    );
  };
  for (const s of SIGNALS) process.on(s, handler);
  return () => {
    for (const s of SIGNALS) process.off(s, handler);
  };
}
