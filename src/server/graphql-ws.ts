// graphql-ws (subprotocol graphql-transport-ws) over Bun's websockets, executing through yoga's
// envelop so a websocket operation gets exactly what an HTTP one gets: the same schema, context,
// plugins (depth and cost limits), validation and error masking.

import type { ServerWebSocket } from "bun";
import { GraphQLError, type ExecutionArgs } from "graphql";
import type { ExecutionResult } from "graphql-ws";
import { makeHandler } from "graphql-ws/use/bun";
import type { YogaServerInstance } from "graphql-yoga";
import type { TokenCheck } from "./auth.ts";

export { handleProtocols } from "graphql-ws/use/bun";

/** What a graphql-ws websocket carries in ws.data. */
export interface GraphqlSocketState {
  kind: "graphql";
  /** The upgrade request (headers for the context). */
  request: Request;
  /** The upgrade carried the right bearer token; otherwise connectionParams must. */
  authorized: boolean;
}

// yoga's execute/subscribe travel in rootValue from onSubscribe to execute/subscribe below.
interface Enveloped {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
}

/** Only its envelop is used: the per-operation schema, parse, validate, context, execute. */
type AnyYoga = Pick<YogaServerInstance<any, any>, "getEnveloped">;

export function graphqlWsHandler(yoga: AnyYoga, token: TokenCheck | undefined) {
  return makeHandler({
    // false closes the socket with 4403 Forbidden (graphql-ws's CloseCode.Forbidden).
    onConnect(ctx) {
      const ws = ctx.extra.socket as unknown as ServerWebSocket<GraphqlSocketState>;
      if (!token || ws.data.authorized) return true;
      const params = ctx.connectionParams ?? {};
      const auth = params["Authorization"] ?? params["authorization"];
      return token.matches(typeof auth === "string" ? auth : null);
    },
    execute: (args) => (args.rootValue as Enveloped).execute(args) as Promise<ExecutionResult>,
    subscribe: (args) => (args.rootValue as Enveloped).subscribe(args) as Promise<ExecutionResult>,
    async onSubscribe(ctx, _id, payload) {
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
        rootValue: { execute, subscribe } satisfies Enveloped,
      };
    },
  });
}
