// /mobydig's front door, as Ghostwire's: the target checked before the upgrade (HTTP 400 with
// Ghostwire's words), a plain GET refused, an unknown container closing the websocket with 4400
// and the reason. The check itself runs against Docker in test/ui/ghostwire-ui.test.ts and against
// a lab in test/mobydig/probe.test.ts.

import { afterAll, beforeAll, expect, test } from "bun:test";
import type { RunningServer } from "../../src/server/server.ts";
import { startTestServer, TestLive } from "../helpers/server-harness.ts";

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer(new TestLive());
});
afterAll(() => server.stop());

test("the target: exactly one, a container name of at most 255 characters", async () => {
  for (const [query, message] of [
    ["", "missing or multiple target query parameters"],
    ["?target=a&target=b", "missing or multiple target query parameters"],
    ["?target=-rf", "invalid target name"],
    [`?target=${"a".repeat(256)}`, "invalid target name"],
    ["?target=a%20b", "invalid target name"],
  ] as const) {
    const r = await fetch(`${server.url}/mobydig${query}`);
    expect(r.status).toBe(400);
    expect((await r.json()).errors[0].message).toBe(message);
  }
  const plain = await fetch(`${server.url}/mobydig?target=web`);
  expect(plain.status).toBe(400);
  expect((await plain.json()).errors[0].message).toContain("websocket");
});

test("an unknown container: the websocket closes with 4400 and Ghostwire's reason", async () => {
  const ws = new WebSocket(`${server.url.replace("http", "ws")}/mobydig?target=no-such-container`);
  const closed = await new Promise<CloseEvent>((resolve) => ws.addEventListener("close", resolve));
  expect([closed.code, closed.reason]).toEqual([4400, 'Docker container "no-such-container" not found']);
});
