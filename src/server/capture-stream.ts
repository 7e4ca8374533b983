// A started capture sent to a client: as a chunked HTTP body, or as binary websocket messages.
// Either way the client's pace drives reading the capture's queue (the engine drops and counts
// what a slow client cannot take), a client that goes away stops the capture (its sockets are
// closed at once), and the end of the capture (target vanished, shutdown) ends the stream cleanly.

import type { ServerWebSocket } from "bun";
import type { Capture } from "../capture/engine.ts";
import type { StartedCapture } from "./capture-request.ts";
import type { OpenStreams } from "./streams.ts";

export const PCAPNG_CONTENT_TYPE = "application/x-pcapng";

/** Bytes queued on a websocket before the sender waits for it to drain. */
const WS_HIGH_WATER = 1024 * 1024;

export function captureResponse(started: StartedCapture, request: Request, streams: OpenStreams): Response {
  const { capture } = started;
  const chunks = capture[Symbol.asyncIterator]();
  const unregister = streams.add(() => capture.stop("stopped"));
  const onAbort = () => capture.stop("consumer closed");
  request.signal.addEventListener("abort", onAbort, { once: true });
  void capture.ended.catch(() => {}).finally(() => {
    unregister();
    request.signal.removeEventListener("abort", onAbort);
  });
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const r = await chunks.next();
          if (r.done) controller.close();
          else controller.enqueue(r.value);
        } catch (e) {
          controller.error(e);
        }
      },
      async cancel() {
        capture.stop("consumer closed");
        await chunks.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, {
    headers: {
      "Content-Type": PCAPNG_CONTENT_TYPE,
      "Content-Disposition": `inline; filename="${started.fileName}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}

/** What a capture websocket carries in ws.data. */
export interface CaptureSocketState {
  kind: "capture";
  started: StartedCapture;
  drained?: () => void;
  closed: boolean;
  unregister?: () => void;
}

type CaptureSocket = ServerWebSocket<CaptureSocketState>;

async function pump(ws: CaptureSocket, capture: Capture): Promise<void> {
  let code = 1000;
  let reason = "capture ended";
  try {
    for await (const chunk of capture) {
      if (ws.data.closed) break;
      const sent = ws.sendBinary(chunk);
      if (sent === 0) break; // the connection is gone
      if (sent === -1 || ws.getBufferedAmount() > WS_HIGH_WATER) {
        await new Promise<void>((resolve) => (ws.data.drained = resolve));
        ws.data.drained = undefined;
      }
    }
    reason = capture.stopReason ?? reason;
    if (capture.stopReason === "stopped") code = 1001; // the server is shutting down
  } catch (e) {
    code = 1011;
    reason = `capture failed: ${(e as Error).message}`.slice(0, 120); // a close reason is at most 123 bytes
  }
  if (!ws.data.closed) ws.close(code, reason);
}

/** The websocket side: start pumping on open, stop on close, resume on drain. */
export const captureSocket = {
  open(ws: CaptureSocket, streams: OpenStreams): void {
    const { capture } = ws.data.started;
    ws.data.unregister = streams.add(() => capture.stop("stopped"));
    void pump(ws, capture);
  },
  drain(ws: CaptureSocket): void {
    ws.data.drained?.();
  },
  close(ws: CaptureSocket): void {
    ws.data.closed = true;
    ws.data.unregister?.();
    ws.data.started.capture.stop("consumer closed");
    ws.data.drained?.();
  },
};
