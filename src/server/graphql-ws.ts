// graphql-ws (subprotocol graphql-transport-ws) over Bun's websockets, executing through yoga's
// envelop so a websocket operation gets exactly what an HTTP one gets: the same schema, context,
// plugins (depth and cost limits), validation and error masking. A subscription is the
// Fanout's (fanout.ts): it writes each shared, encoded result into this socket as a graphql-ws
// `next` itself, and graphql-ws sends `complete` or `error` when it ends.

import type { ServerWebSocket } from "bun";
import { GraphQLError, type ExecutionArgs } from "graphql";
import type { ExecutionResult } from "graphql-ws";
import { makeHandler } from "graphql-ws/use/bun";
import type { YogaServerInstance } from "graphql-yoga";
import type { TokenCheck } from "./auth.ts";
import { FanoutSubscription, type Fanout, type SubscriberSink } from "./fanout.ts";

export { handleProtocols } from "graphql-ws/use/bun";

/** What a graphql-ws websocket carries in ws.data. */
export interface GraphqlSocketState {
  kind: "graphql";
  /** The upgrade request (headers for the context). */
  request: Request;
  /** The upgrade carried the right bearer token; otherwise connectionParams must. */
  authorized: boolean;
  /** Its fan-out subscriptions, woken when the socket drains. */
  subscriptions?: Set<FanoutSubscription>;
}

// yoga's execute/subscribe travel in rootValue from onSubscribe to execute/subscribe below, with
// the socket and operation id a subscription writes to.
interface Enveloped {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
  socket: ServerWebSocket<GraphqlSocketState>;
  id: string;
}

/** Only its envelop is used: the per-operation schema, parse, validate, context, execute. */
type AnyYoga = Pick<YogaServerInstance<any, any>, "getEnveloped">;

export function graphqlWsHandler(yoga: AnyYoga, token: TokenCheck | undefined, fanout: Fanout) {
  const handler = makeHandler({
    // false closes the socket with 4403 Forbidden (graphql-ws's CloseCode.Forbidden).
    onConnect(ctx) {
      const ws = ctx.extra.socket as unknown as ServerWebSocket<GraphqlSocketState>;
      if (!token || ws.data.authorized) return true;
      const params = ctx.connectionParams ?? {};
      const auth = params["Authorization"] ?? params["authorization"];
      return token.matches(typeof auth === "string" ? auth : null);
    },
    execute: (args) => (args.rootValue as Enveloped).execute(args) as Promise<ExecutionResult>,
    subscribe: async (args) => {
      const { subscribe, socket, id } = args.rootValue as Enveloped;
      const result = await subscribe(args);
      if (!(result instanceof FanoutSubscription)) return result as ExecutionResult;
      return streamTo(result, socket, id, fanout.limits.socketBytes);
    },
    async onSubscribe(ctx, id, payload) {
      const ws = ctx.extra.socket as unknown as ServerWebSocket<GraphqlSocketState>;
      const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
        request: ws.data.request,
        params: payload,
        connectionParams: ctx.connectionParams,
        socket: ws,
      });
      // Plugins may throw from parse or validate (graphql-armor's limits do): an error for this
      // operation, never for the socket.
      let document;
      try {
        document = parse(payload.query);
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
      } catch (e) {
        if (e instanceof GraphQLError) return [e];
        return [new GraphQLError(`invalid operation: ${(e as Error).message}`)];
      }
      return {
        schema,
        operationName: payload.operationName,
        document,
        variableValues: payload.variables,
        contextValue: await contextFactory(),
        rootValue: { execute, subscribe, socket: ws, id } satisfies Enveloped,
      };
    },
  });
  return {
    ...handler,
    /** The socket took its buffered bytes: its subscriptions may write again. */
    drain(ws: ServerWebSocket<GraphqlSocketState>): void {
      for (const sub of ws.data.subscriptions ?? []) sub.wake();
    },
  };
}

/**
 * Connects a fan-out subscription to one graphql-ws operation. What graphql-ws gets back yields
 * nothing (the fan-out writes the `next` messages); it ends when the subscription does, throwing
 * its error if it failed (graphql-ws sends that as the operation's `error`), and its return()
 * (the client's `complete`, the socket closing) cancels the subscription.
 */
function streamTo(sub: FanoutSubscription, ws: ServerWebSocket<GraphqlSocketState>, id: string, socketBytes: number): AsyncIterableIterator<ExecutionResult> {
  const prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  const subscriptions = (ws.data.subscriptions ??= new Set());
  subscriptions.add(sub);
  const ended = new Promise<GraphQLError | null>((resolve) => sub.onEnd(resolve));
  void ended.then(() => subscriptions.delete(sub));
  const sink: SubscriberSink = {
    send: (result) => void ws.sendText(prefix + result.json + "}"),
    full: () => ws.getBufferedAmount() >= socketBytes,
    end: () => {}, // graphql-ws sends `complete` or `error` when next() below settles
    cork: (fn) => void ws.cork(fn),
  };
  sub.attach(sink);
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      const error = await ended;
      if (error) throw error;
      return { value: undefined, done: true };
    },
    async return() {
      sub.cancel();
      return { value: undefined, done: true };
    },
  };
}
