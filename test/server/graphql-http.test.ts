// The server over plain HTTP and graphql-ws: the GraphQL-over-HTTP audit suite, errors that leave
// the server serving, token auth on every transport, the offline GraphiQL page, the Ghostwire
// endpoints against their OpenAPI spec, /healthz, and a graceful stop.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { toGhostwireDiscovery } from "../../src/api/ghostwire-v1.ts";
import type { RunningServer } from "../../src/server/server.ts";
import { describeErrors, errorsOf, ghostwireValidator } from "../api/openapi-schema.ts";
import { startTestServer, TestLive } from "../helpers/server-harness.ts";
import { failedAudits, sseSubscribe, wsClient, wsQuery, wsUrl } from "./clients.ts";

const TOKEN = "s3cret-token";
const AUTH = { authorization: `Bearer ${TOKEN}` };
const live = new TestLive();
let open: RunningServer; // no token
let locked: RunningServer; // with TOKEN

beforeAll(async () => {
  open = await startTestServer(live);
  locked = await startTestServer(live, { token: TOKEN });
});
afterAll(async () => {
  await open?.stop();
  await locked?.stop();
});

async function post(server: RunningServer, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const r = await fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: r.status, json: await r.json() };
}

async function stillServes(server: RunningServer, headers: Record<string, string> = {}): Promise<void> {
  const r = await post(server, { query: "{ revision }" }, headers);
  expect(r.status).toBe(200);
  expect(r.json).toEqual({ data: { revision: live.current().revision } });
}

describe("GraphQL over HTTP", () => {
  test("graphql-http's server audit suite: every audit passes (MUST, SHOULD and MAY), with and without a token", async () => {
    for (const [server, token] of [[open, undefined], [locked, TOKEN]] as const) {
      const { count, failed } = await failedAudits(`${server.url}/graphql`, token);
      expect(count).toBeGreaterThan(50);
      expect(failed).toEqual([]);
    }
  });

  test("queries over GET and POST; the context carries the server's own URL", async () => {
    const r = await post(open, { query: "{ revision baseUrl namespaces { name } }" });
    expect(r.status).toBe(200);
    expect(r.json.data.baseUrl).toBe(open.url);
    expect(r.json.data.namespaces.length).toBe(live.current().topology.namespaces.length);
    const g = await fetch(`${open.url}/graphql?query=${encodeURIComponent("{ revision }")}`, { headers: { accept: "application/json" } });
    expect(g.status).toBe(200);
    expect(await g.json()).toEqual({ data: { revision: live.current().revision } });
  });

  test("malformed queries, bad arguments, depth bombs and resolver failures get errors; the server keeps serving", async () => {
    // A syntax error.
    let r = await post(open, { query: "{ revision" });
    expect(r.status).toBe(400);
    expect(r.json.errors[0].message).toMatch(/Syntax Error/);
    await stillServes(open);
    // Not JSON at all.
    r = await post(open, "{not json");
    expect(r.status).toBe(400);
    await stillServes(open);
    // A field that does not exist, an argument of the wrong type, a missing required argument.
    r = await post(open, { query: "{ nope }" });
    expect(r.status).toBe(400);
    expect(r.json.errors[0].message).toContain('Cannot query field "nope"');
    r = await post(open, { query: "query($n: String) { namespaces(nameContains: $n) { name } }", variables: { n: 42 } });
    expect(r.status).toBe(400);
    expect(r.json.errors[0].message).toContain("String cannot represent a non string value");
    r = await post(open, { query: "{ namespace { name } }" });
    expect(r.status).toBe(400);
    // A bad id: the resolver's own clear message, with its code.
    r = await post(open, { query: '{ namespace(id: "not-an-id") { name } }' });
    expect(r.json.errors[0].message).toBe("'not-an-id' is not a NetworkNamespace id");
    expect(r.json.errors[0].extensions.code).toBe("BAD_ID");
    // A depth bomb: the plugin given to the server rejects it before execution.
    const bomb = `{ namespaces { interfaces { namespace { interfaces { namespace { interfaces { namespace { name } } } } } } } }`;
    r = await post(open, { query: bomb });
    expect(r.json.errors[0].message).toMatch(/depth limit of 6 exceeded/i);
    expect(r.json.data).toBeUndefined();
    // An unexpected failure is masked: the client sees no internals.
    r = await post(open, { query: "{ crash }" });
    expect(r.json.errors[0].message).toBe("Unexpected error.");
    expect(JSON.stringify(r.json)).not.toContain("secret internal detail");
    await stillServes(open);
  });

  test("graphql-ws: the same errors on a websocket, which stays open for the next operation", async () => {
    const { client } = wsClient(open.url);
    try {
      const bad = await wsQuery(client, '{ namespace(id: "zz") { name } }').catch((e: unknown) => ({ errors: e as any[] }));
      expect(bad.errors?.[0].message).toBe("'zz' is not a NetworkNamespace id");
      const syntax = await wsQuery(client, "{ revision").catch((e: unknown) => ({ errors: e as any[] }));
      expect(syntax.errors?.[0].message).toMatch(/Syntax Error/);
      const deep = await wsQuery(client, "{ namespaces { interfaces { namespace { interfaces { namespace { interfaces { namespace { name } } } } } } } }").catch(
        (e: unknown) => ({ errors: e as any[] }),
      );
      expect(deep.errors?.[0].message).toMatch(/depth/i);
      expect(await wsQuery(client, "{ revision }")).toEqual({ data: { revision: live.current().revision } });
    } finally {
      await client.dispose();
    }
  });

  test("a websocket upgrade must ask for graphql-transport-ws", async () => {
    const r = await fetch(`${open.url}/graphql`, {
      headers: { upgrade: "websocket", connection: "Upgrade", "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-protocol": "chat" },
    });
    expect(r.status).toBe(400);
    expect((await r.json()).errors[0].message).toContain("graphql-transport-ws");
  });
});

describe("token auth", () => {
  test("HTTP: no token or a wrong one is 401 on every endpoint; the right one passes", async () => {
    const wrong: Record<string, string>[] = [{}, { authorization: "Bearer wrong" }, { authorization: `Basic ${TOKEN}` }, { authorization: `Bearer ${TOKEN}x` }];
    for (const headers of wrong) {
      const r = await post(locked, { query: "{ revision }" }, headers);
      expect(r.status).toBe(401);
      expect(r.json.errors[0].message).toContain("unauthorized");
      for (const path of ["/json", "/mobyshark", "/capture?target=1", "/capture?netns=1", "/discover/mobyshark", "/version", `/graphql?query=${encodeURIComponent("{ revision }")}`]) {
        const g = await fetch(`${locked.url}${path}`, { headers });
        expect(`${path} ${g.status}`).toBe(`${path} 401`);
        expect(g.headers.get("www-authenticate")).toContain("Bearer");
      }
    }
    await stillServes(locked, AUTH);
    await stillServes(locked, { authorization: `bearer ${TOKEN}` }); // the scheme is case-insensitive
    expect((await fetch(`${locked.url}/json`, { headers: AUTH })).status).toBe(200);
  });

  test("websocket: a wrong header refuses the upgrade; no header and no connectionParams token closes with 4403", async () => {
    // A wrong token on the upgrade: refused before any websocket exists.
    const refused = await new Promise<string>((resolve) => {
      const ws = new WebSocket(wsUrl(locked.url), { protocols: ["graphql-transport-ws"], headers: { authorization: "Bearer wrong" } } as unknown as string[]);
      ws.onopen = () => resolve("open");
      ws.onerror = () => resolve("error");
    });
    expect(refused).toBe("error");
    // No header, no token in connectionParams; then a wrong one.
    for (const connectionParams of [undefined, { Authorization: "Bearer wrong" }]) {
      const { client, closed } = wsClient(locked.url, { connectionParams });
      const result = wsQuery(client, "{ revision }").catch((e: unknown) => e);
      expect((await closed).code).toBe(4403);
      expect(await result).toBeDefined();
      await client.dispose();
    }
  });

  test("websocket: the token in the upgrade header or in connectionParams (browsers) is accepted", async () => {
    for (const opts of [{ headers: AUTH }, { connectionParams: { Authorization: `Bearer ${TOKEN}` } }]) {
      const { client } = wsClient(locked.url, opts);
      expect(await wsQuery(client, "{ revision }")).toEqual({ data: { revision: live.current().revision } });
      await client.dispose();
    }
  });

  test("SSE needs the token too", async () => {
    const denied = await sseSubscribe(locked.url, "subscription { interfaceChanges { name } }");
    expect(denied.response.status).toBe(401);
    await denied.reader.cancel();
    const allowed = await sseSubscribe(locked.url, "subscription { interfaceChanges { name } }", AUTH);
    expect(allowed.response.status).toBe(200);
    expect(allowed.response.headers.get("content-type")).toStartWith("text/event-stream");
    await allowed.reader.cancel();
  });
});

describe("GraphiQL", () => {
  test("served offline: every asset from this server, nothing is fetched from another origin; subscriptions over SSE", async () => {
    // With a token too: the page holds no data (the user sets the header in GraphiQL).
    for (const server of [open, locked]) {
      const r = await fetch(`${server.url}/graphql`, { headers: { accept: "text/html" } });
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toStartWith("text/html");
      const page = await r.text();
      expect(page).toContain("<title>wiresight</title>");
      expect(page).toContain("renderYogaGraphiQL");
      // The page's own files (its stylesheet, script and icon), without the token too: static, no data.
      const assets = [...page.matchAll(/(?:href|src)="(\/graphql\/assets\/[^"]+)"/g)].map((m) => m[1]!);
      expect(assets).toHaveLength(3);
      const files = await Promise.all(assets.map(async (a) => {
        const f = await fetch(`${server.url}${a}`);
        expect(f.status).toBe(200);
        return f.text();
      }));
      const html = [page, ...files].join("\n");
      // What a browser would load: element attributes, CSS url()/@import, dynamic imports, workers.
      const loads = [
        ...html.matchAll(/\b(?:src|href|action|data)\s*=\s*\\?["']?\s*(?:https?:)?\/\/[^"'\s>]*/gi),
        ...html.matchAll(/url\(\s*\\?["']?\s*(?:https?:)?\/\/[^)]*/gi),
        ...html.matchAll(/@import\s+[^;]*/gi),
        ...html.matchAll(/import\(\s*\\?["'`]\s*(?:https?:)?\/\/[^)]*/gi),
        ...html.matchAll(/(?:importScripts|new Worker|new SharedWorker|fetch)\(\s*\\?["'`]\s*(?:https?:)?\/\/[^)]*/gi),
        ...html.matchAll(/\b(?:unpkg\.com|cdn\.jsdelivr\.net|cdnjs\.cloudflare\.com|esm\.sh|fonts\.googleapis\.com|fonts\.gstatic\.com|cdn\.skypack\.dev)\b/gi),
      ].map((m) => m[0]);
      expect(loads).toEqual([]);
      expect(page).toMatch(/<link rel="icon" href="\/graphql\/assets\/favicon-/);
      // The options GraphiQL starts with: this endpoint, subscriptions over SSE.
      const opts = /renderYogaGraphiQL\(\s*window\.document\.querySelector\('#root'\),\s*(\{.*?\}),\s*\);/s.exec(page);
      expect(opts).not.toBeNull();
      expect(JSON.parse(opts![1]!)).toMatchObject({ endpoint: "/graphql", subscriptionsProtocol: "SSE" });
    }
  });
});

describe("Ghostwire endpoints and health", () => {
  test("/json and /mobyshark validate against Ghostwire's OpenAPI spec and reflect the live topology", async () => {
    const discovery = await (await fetch(`${open.url}/json`)).json();
    const errs = errorsOf(ghostwireValidator("DiscoveryResult"), discovery);
    expect(describeErrors(errs)).toBe("");
    const expected = JSON.parse(JSON.stringify(toGhostwireDiscovery(live.current().topology, { creatorVersion: discovery.metadata["creator-version"] })));
    expect(discovery).toEqual(expected);
    const targets = await (await fetch(`${open.url}/mobyshark`)).json();
    expect(describeErrors(errorsOf(ghostwireValidator("TargetDiscoveryResult"), targets))).toBe("");
    expect((await fetch(`${open.url}/json`, { method: "POST" })).status).toBe(405);
    expect((await fetch(`${open.url}/nope`)).status).toBe(404);
  });

  test("/healthz: 200 when discovery works, 503 when starting, failing or stalled; details only with the token", async () => {
    const saved = { ...live.statusValue };
    try {
      const check = async (server: RunningServer, headers: Record<string, string> = {}) => {
        const r = await fetch(`${server.url}/healthz`, { headers });
        return { status: r.status, body: await r.json() };
      };
      expect(await check(open)).toEqual({ status: 200, body: { status: "ok" } });
      expect(await check(locked)).toEqual({ status: 200, body: { status: "ok" } });
      const detailed = await check(locked, AUTH);
      expect(detailed.body.watch).toEqual(live.statusValue);
      live.statusValue = { ...saved, lastError: { at: new Date().toISOString(), message: "netlink exploded in /run/netns/x" }, consecutiveFailures: 3 };
      expect(await check(open)).toEqual({ status: 503, body: { status: "failing" } });
      const failing = await check(locked, AUTH);
      expect(failing.status).toBe(503);
      expect(failing.body.reason).toContain("3 failed discoveries in a row: netlink exploded");
      live.statusValue = { ...saved, lastSuccessAt: new Date(Date.now() - 10 * 60_000).toISOString(), fullPassEveryMs: 60_000 };
      expect(await check(open)).toEqual({ status: 503, body: { status: "stalled" } });
      live.statusValue = { ...saved, lastSuccessAt: null };
      expect(await check(open)).toEqual({ status: 503, body: { status: "starting" } });
    } finally {
      live.statusValue = saved;
    }
  });
});

describe("graceful stop", () => {
  test("ends SSE streams and websockets, refuses new connections, then awaits onShutdown", async () => {
    const order: string[] = [];
    const server = await startTestServer(live, {
      onShutdown: async () => {
        await Bun.sleep(20);
        order.push("onShutdown");
      },
    });
    const before = live.listenerCount;
    const sse = await sseSubscribe(server.url, "subscription { interfaceChanges { name } }");
    const { client, closed } = wsClient(server.url);
    const wsEvents = client.iterate({ query: "subscription { interfaceChanges { name } }" });
    const wsDone = wsEvents.next().catch((e: unknown) => e); // rejects with the close event
    await wsQuery(client, "{ revision }"); // connected and acknowledged
    while (live.listenerCount < before + 2) await Bun.sleep(10); // both subscriptions are live
    const sseEnd = sse.reader.next().then((e) => {
      order.push("sse ended");
      return e;
    });
    const wsClosed = closed.then((c) => {
      order.push("ws closed");
      return c;
    });
    await server.stop();
    order.push("stop resolved");
    expect(await sseEnd).toBeNull(); // the body ended normally
    expect((await wsClosed).code).toBe(1001);
    expect(((await wsDone) as CloseEvent).code).toBe(1001);
    expect(order.slice(-2)).toEqual(["onShutdown", "stop resolved"]);
    expect(live.listenerCount).toBe(before); // both subscriptions unsubscribed from the live topology
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    await server.stop(); // idempotent
    await client.dispose();
  });
});

describe("signals", () => {
  test("SIGTERM: open subscriptions end, onShutdown completes, then the process exits 0", async () => {
    const child = Bun.spawn([process.execPath, `${import.meta.dir}/fixtures/serve-child.ts`], { stdout: "pipe", stderr: "inherit" });
    const lines: string[] = [];
    const decoder = new TextDecoder();
    let pending = "";
    const reader = child.stdout.getReader();
    const nextLine = async (): Promise<string> => {
      for (;;) {
        const nl = pending.indexOf("\n");
        if (nl >= 0) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          lines.push(line);
          return line;
        }
        const r = await reader.read();
        if (r.done) throw new Error(`child output ended: ${lines.join(" | ")}`);
        pending += decoder.decode(r.value);
      }
    };
    try {
      const url = (await nextLine()).replace(/^listening /, "");
      const sse = await sseSubscribe(url, "subscription { interfaceChanges { name } }");
      expect(sse.response.status).toBe(200);
      child.kill("SIGTERM");
      expect(await sse.reader.next()).toBeNull(); // ended by the shutdown
      expect(await nextLine()).toBe("wiresight serve: SIGTERM, shutting down (again to force)");
      expect(await nextLine()).toBe("onShutdown done");
      expect(await nextLine()).toBe("stopped on SIGTERM");
      expect(await child.exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  });
});
