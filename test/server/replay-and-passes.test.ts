// Issue 14, item 7, against the composed service: `topologyChanges(sinceRevision: 0)` replays
// from the beginning (the first recording's entities, as added) instead of refusing revision 0;
// 30 aliased `discoverNow` in one request run one full pass and share its answer, while two
// requests still run two.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { startService, type RunningService } from "../../src/server/service.ts";
import { Lab, requireRoot } from "../helpers/lab.ts";
import { sseSubscribe } from "./clients.ts";

const root = requireRoot();

describe.if(root)("replay from 0, one pass per request", () => {
  const lab = new Lab();
  let service: RunningService;
  let passes = 0;

  const post = async (query: string) => {
    const res = await fetch(`${service.server.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) });
    return (await res.json()) as { data?: any; errors?: { message: string }[] };
  };

  beforeAll(async () => {
    lab.netns("rp");
    service = await startService({ db: join(lab.dir, "serve.db"), listen: "127.0.0.1:0", fullPassEveryMs: 3_600_000, logging: false, watcher: { withEngines: false } });
    // Count the passes requests ask the watcher for.
    const discoverNow = service.watcher.discoverNow.bind(service.watcher);
    service.watcher.discoverNow = () => {
      passes++;
      return discoverNow();
    };
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    lab.cleanup();
  }, 60_000);

  test("sinceRevision: 0 replays from the first recording", async () => {
    const { response, reader } = await sseSubscribe(service.server.url, "subscription { topologyChanges(sinceRevision: 0) { revision op kind key } }");
    try {
      expect(response.status).toBe(200);
      let first: any = null;
      for (let e = await reader.next(); e !== null && first === null; e = await reader.next()) {
        if (e.event === "next") first = JSON.parse(e.data);
      }
      expect(first.errors).toBeUndefined();
      expect(first.data.topologyChanges).toMatchObject({ revision: 1, op: "ADDED" });
    } finally {
      await reader.cancel();
    }
  });

  test("30 aliased discoverNow in one request: one pass, one answer", async () => {
    const before = passes;
    const aliases = Array.from({ length: 30 }, (_, i) => `d${i}: discoverNow { revision { revision } }`).join(" ");
    const r = await post(`mutation { ${aliases} }`);
    expect(r.errors).toBeUndefined();
    expect(passes - before).toBe(1);
    expect(new Set(Object.values(r.data).map((v) => JSON.stringify(v))).size).toBe(1);
    // Another request is another pass.
    await post("mutation { discoverNow { revision { revision } } }");
    expect(passes - before).toBe(2);
  }, 60_000);
});
