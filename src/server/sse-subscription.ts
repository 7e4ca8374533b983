// A fan-out subscription over HTTP as Server-Sent Events, in graphql-sse's "distinct connections"
// format (what graphql-yoga speaks): `event: next` with each result as data, `event: complete` at
// the end; an error that ends the stream is a `next` carrying `errors`, then `complete`. The body
// is a pull stream: Bun reads it as fast as the socket takes bytes, so the stream's queue is the
// connection's unsent bytes, which the fan-out keeps under its limit.

import type { GraphQLError } from "graphql";
import type { FanoutSubscription, SubscriberSink } from "./fanout.ts";

const encoder = new TextEncoder();
// A comment first: some browsers hold back a response until its first bytes arrive. Then one
// every 12 s, so proxies and the server's idle timeout (60 s) leave a quiet stream open.
const PING = encoder.encode(":\n\n");
const PING_EVERY_MS = 12_000;
const COMPLETE = encoder.encode("event: complete\ndata:\n\n");

export const SSE_HEADERS = {
  "Content-Type": "text/event-stream",
  Connection: "keep-alive",
  "Cache-Control": "no-cache",
  "Content-Encoding": "none",
};

export function sseResponse(sub: FanoutSubscription, socketBytes: number): Response {
  let ping: ReturnType<typeof setInterval> | undefined;
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(PING);
        ping = setInterval(() => {
          if ((controller.desiredSize ?? 0) > 0) controller.enqueue(PING);
        }, PING_EVERY_MS);
        const sink: SubscriberSink = {
          send: (result) => controller.enqueue(result.sse),
          full: () => (controller.desiredSize ?? 0) <= 0,
          end: (error: GraphQLError | null) => {
            clearInterval(ping);
            try {
              if (error) controller.enqueue(encoder.encode(`event: next\ndata: ${JSON.stringify({ errors: [error.toJSON()] })}\n\n`));
              controller.enqueue(COMPLETE);
              controller.close();
            } catch {
              // the client is already gone
            }
          },
        };
        sub.attach(sink);
      },
      pull() {
        sub.wake();
      },
      cancel() {
        clearInterval(ping);
        sub.cancel();
      },
    },
    { highWaterMark: socketBytes, size: (chunk) => chunk?.byteLength ?? 0 },
  );
  return new Response(body, { status: 200, headers: SSE_HEADERS });
}
