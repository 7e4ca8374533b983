// Issue 14, item 2: what a web page can do to a default server (loopback, no token), asked the
// way a browser asks: with the Origin, Host and Sec-Fetch-* headers it sends, as JSON, form and
// multipart POSTs, and websockets. Nothing a page of another origin sends is run or answered;
// a DNS-rebinding Host is refused; the server's own pages (GraphiQL) and non-browser clients
// work as before; --cors and --allow-host open exactly what they name. The browser itself drives
// the same attacks in browser-guard.test.ts.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parseServeArgs } from "../../src/cli/commands/serve.ts";
import type { RunningServer } from "../../src/server/server.ts";
import { startTestServer, TestLive } from "../helpers/server-harness.ts";
import { wsUrl } from "./clients.ts";

const EVIL = "http://evil.test:8080";
const APP = "http://app.test:3000";

/** A TestLive that counts discoverNow calls: the side effect a forged mutation would have. */
class CountingLive extends TestLive {
  discoveries = 0;
  override discoverNow(...args: Parameters<TestLive["discoverNow"]>) {
    this.discoveries++;
    return super.discoverNow(...args);
  }
}

const live = new CountingLive();
let plain: RunningServer; // the defaults
let opened: RunningServer; // --cors APP --allow-host wiresight.test
const MUTATION = JSON.stringify({ query: "mutation { discoverNow }" });

beforeAll(async () => {
  plain = await startTestServer(live);
  opened = await startTestServer(live, { cors: [APP], allowHosts: ["wiresight.test"] });
});
afterAll(async () => {
  await plain?.stop();
  await opened?.stop();
});

const hostOf = (s: RunningServer) => new URL(s.url).host;

async function send(server: RunningServer, path: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
  const res = await fetch(`${server.url}${path}`, { ...init, redirect: "manual" });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, text, json };
}

/** Opens a websocket with these upgrade headers; resolves "open" or "refused". */
function tryWebSocket(server: RunningServer, path: string, headers: Record<string, string>): Promise<"open" | "refused"> {
  return new Promise((resolve) => {
    const ws = new WebSocket(wsUrl(server.url, path), { headers, protocols: ["graphql-transport-ws"] } as unknown as string[]);
    ws.onopen = () => {
      ws.close();
      resolve("open");
    };
    ws.onerror = () => resolve("refused");
    ws.onclose = () => resolve("refused");
  });
}

describe("a default server and web pages of other origins", () => {
  test("a cross-origin JSON mutation is refused before it runs, without CORS headers", async () => {
    const before = live.discoveries;
    const r = await send(plain, "/graphql", { method: "POST", headers: { origin: EVIL, "content-type": "application/json" }, body: MUTATION });
    expect(r.status).toBe(403);
    expect(r.json.errors[0].message).toContain(`--cors ${EVIL}`);
    expect(r.headers.get("access-control-allow-origin")).toBeNull();
    expect(r.headers.get("access-control-allow-credentials")).toBeNull();
    expect(live.discoveries).toBe(before);
  });

  test("its preflight is refused, so a browser never sends the request", async () => {
    const r = await send(plain, "/graphql", {
      method: "OPTIONS",
      headers: { origin: EVIL, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    expect(r.status).toBe(403);
    expect(r.headers.get("access-control-allow-origin")).toBeNull();
  });

  test.each([
    ["form-urlencoded", "application/x-www-form-urlencoded", "query=mutation%20%7B%20discoverNow%20%7D"],
    ["text/plain", "text/plain", MUTATION],
  ])("a %s POST (no preflight in a browser) runs nothing, with or without an Origin", async (_what, type, body) => {
    const before = live.discoveries;
    const withOrigin = await send(plain, "/graphql", { method: "POST", headers: { origin: EVIL, "content-type": type }, body });
    expect(withOrigin.status).toBe(403);
    const bare = await send(plain, "/graphql", { method: "POST", headers: { "content-type": type }, body });
    expect(bare.status).toBe(415);
    expect(bare.json.errors[0].message).toContain("takes Content-Type application/json");
    expect(live.discoveries).toBe(before);
  });

  test("a multipart POST (a page's FormData) runs nothing", async () => {
    const before = live.discoveries;
    const form = new FormData();
    form.set("operations", MUTATION);
    form.set("map", "{}");
    const r = await send(plain, "/graphql", { method: "POST", body: form });
    expect(r.status).toBe(415);
    expect(r.json.errors[0].message).toContain("not multipart/form-data");
    expect(live.discoveries).toBe(before);
  });

  test("a no-cors GET (an <img> or <script> of another site) is refused; a link the user follows opens GraphiQL", async () => {
    for (const path of ["/json", "/capture?target=1", `/graphql?query=${encodeURIComponent("{ revision }")}`]) {
      const r = await send(plain, path, { headers: { "sec-fetch-site": "cross-site", "sec-fetch-mode": "no-cors", "sec-fetch-dest": "image" } });
      expect({ path, status: r.status }).toEqual({ path, status: 403 });
    }
    const nav = await send(plain, "/graphql", { headers: { accept: "text/html", "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document" } });
    expect(nav.status).toBe(200);
    expect(nav.text).toContain("GraphiQL");
    // ... but never inside another site's frame.
    expect(nav.headers.get("x-frame-options")).toBe("DENY");
    expect(nav.headers.get("content-security-policy")).toBe("frame-ancestors 'none'");
  });

  test("a websocket from another origin is refused, on /graphql and /capture; one with no Origin (a program) opens", async () => {
    expect(await tryWebSocket(plain, "/graphql", { origin: EVIL })).toBe("refused");
    expect(await tryWebSocket(plain, "/capture?target=1", { origin: EVIL })).toBe("refused");
    expect(await tryWebSocket(plain, "/graphql", {})).toBe("open");
    expect(await tryWebSocket(plain, "/graphql", { origin: plain.url })).toBe("open");
  });

  test("the server's own pages (same origin: GraphiQL's fetches) and programs without an Origin work", async () => {
    const same = await send(plain, "/graphql", { method: "POST", headers: { origin: plain.url, "content-type": "application/json", "sec-fetch-site": "same-origin" }, body: JSON.stringify({ query: "{ revision }" }) });
    expect(same.status).toBe(200);
    expect(same.json.data.revision).toBe(live.current().revision);
    const program = await send(plain, "/graphql", { method: "POST", headers: { "content-type": "application/json; charset=utf-8" }, body: JSON.stringify({ query: "{ revision }" }) });
    expect(program.status).toBe(200);
    expect((await send(plain, "/json")).status).toBe(200);
  });
});

describe("the Host header (DNS rebinding)", () => {
  test("a name the server is not known by is refused, whatever the path", async () => {
    const port = new URL(plain.url).port;
    for (const path of ["/graphql", "/json", "/healthz", "/capture?target=1"]) {
      const r = await send(plain, path, { headers: { host: `rebind.evil.test:${port}` } });
      expect({ path, status: r.status }).toEqual({ path, status: 403 });
      expect(r.json.errors[0].message).toContain("--allow-host rebind.evil.test");
    }
  });

  test("the listen address, localhost and IP addresses are accepted", async () => {
    const port = new URL(plain.url).port;
    for (const host of [hostOf(plain), `localhost:${port}`, `LOCALHOST.:${port}`, `[::1]:${port}`, `10.1.2.3:${port}`, "127.0.0.1"]) {
      expect({ host, status: (await send(plain, "/healthz", { headers: { host } })).status }).toEqual({ host, status: 200 });
    }
  });
});

describe("--cors and --allow-host", () => {
  test("a page of an origin given with --cors gets its preflight and can read answers (no credentials)", async () => {
    const pre = await send(opened, "/graphql", {
      method: "OPTIONS",
      headers: { origin: APP, "access-control-request-method": "POST", "access-control-request-headers": "content-type, authorization" },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe(APP);
    expect(pre.headers.get("access-control-allow-headers")).toBe("content-type, authorization");
    const r = await send(opened, "/graphql", { method: "POST", headers: { origin: APP, "content-type": "application/json" }, body: JSON.stringify({ query: "{ revision }" }) });
    expect(r.status).toBe(200);
    expect(r.headers.get("access-control-allow-origin")).toBe(APP);
    expect(r.headers.get("vary")).toContain("Origin");
    expect(r.headers.get("access-control-allow-credentials")).toBeNull();
    const json = await send(opened, "/json", { headers: { origin: APP } });
    expect(json.headers.get("access-control-allow-origin")).toBe(APP);
  });

  test("other origins stay refused; a forged multipart POST from the allowed origin still runs nothing", async () => {
    expect((await send(opened, "/json", { headers: { origin: EVIL } })).status).toBe(403);
    const before = live.discoveries;
    const form = new FormData();
    form.set("operations", MUTATION);
    expect((await send(opened, "/graphql", { method: "POST", headers: { origin: APP }, body: form })).status).toBe(415);
    expect(live.discoveries).toBe(before);
  });

  test("a name given with --allow-host is accepted; others still are not", async () => {
    const port = new URL(opened.url).port;
    expect((await send(opened, "/healthz", { headers: { host: `wiresight.test:${port}` } })).status).toBe(200);
    expect((await send(opened, "/healthz", { headers: { host: `evil.test:${port}` } })).status).toBe(403);
  });

  test("serve's options: normalised, checked, warned about when they open everything", () => {
    const a = parseServeArgs(["--cors", "http://App.test:3000/", "--cors", "https://x.test", "--allow-host", "Wiresight.Test", "--allow-host", "[::1]"], {}, () => "");
    expect(a.cors).toEqual(["http://app.test:3000", "https://x.test"]);
    expect(a.allowHosts).toEqual(["wiresight.test", "::1"]);
    expect(a.warnings).toEqual([]);
    expect(() => parseServeArgs(["--cors", "app.test"], {}, () => "")).toThrow("--cors: 'app.test' is not an origin");
    expect(() => parseServeArgs(["--cors", "http://app.test/ui"], {}, () => "")).toThrow("give only scheme, host and port (http://app.test), no path");
    expect(() => parseServeArgs(["--cors", "file:///x"], {}, () => "")).toThrow("an origin is http:// or https://");
    expect(() => parseServeArgs(["--allow-host", "a b"], {}, () => "")).toThrow("--allow-host: 'a b' is not a host name or IP address");
    const open = parseServeArgs(["--cors", "*", "--allow-host", "*"], {}, () => "");
    expect(open.warnings.join("\n")).toContain("--cors '*' without a token");
    expect(open.warnings.join("\n")).toContain("DNS rebinding");
    expect(parseServeArgs(["--cors", "*", "--token", "t"], {}, () => "").warnings.join("\n")).not.toContain("--cors");
  });
});
