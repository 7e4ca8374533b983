// The fan-out as a graphql-yoga plugin: every subscription operation, whichever transport brings
// it, is subscribed through the Fanout (src/server/fanout.ts) instead of executed per subscriber.
// Over HTTP the result becomes an SSE response here; graphql-ws attaches its own connection
// (graphql-ws.ts). A subscription refused before it starts (validation, a bad argument) stays a
// plain result and is answered as yoga answers it.

import type { Plugin } from "graphql-yoga";
import { FanoutSubscription, type Fanout } from "./fanout.ts";
import { sseResponse } from "./sse-subscription.ts";

export function useFanout(fanout: Fanout): Plugin {
  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn((args) => fanout.subscribe(args) as never);
    },
    onResultProcess({ request, result, setResultProcessor }) {
      if (!(result instanceof FanoutSubscription)) return;
      if (acceptsEventStream(request)) {
        setResultProcessor(() => sseResponse(result, fanout.limits.socketBytes), "text/event-stream");
        return;
      }
      // A subscription needs a stream: over HTTP that is SSE (yoga answers the same).
      result.cancel();
      setResultProcessor(() => new Response(null, { status: 406, statusText: "Not Acceptable", headers: { accept: "text/event-stream" } }), "text/event-stream");
    },
  };
}

/** Whether the Accept header admits text/event-stream (no header admits anything), as yoga reads it. */
function acceptsEventStream(request: Request): boolean {
  return (request.headers.get("accept") || "*/*")
    .replace(/\s/g, "")
    .toLowerCase()
    .split(",")
    .some((range) => {
      const [type, ...params] = range.split(";");
      const charset = params.find((p) => p.startsWith("charset="));
      if (charset !== undefined && charset !== "charset=utf-8") return false;
      return type === "*/*" || type === "text/*" || type === "text/event-stream";
    });
}
