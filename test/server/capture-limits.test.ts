// Issue 14, item 7, for /capture: at most --max-captures run at once (the next gets a 503 that
// says so, until one ends); a capture of the namespace the server itself runs in leaves the
// server's own connections out (else it captures its own stream, hundreds of MB a second);
// a path target is matched against discovery, never looked at (no "does this file exist").
// tshark reads what the client received.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createSocket } from "node:dgram";
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseServeArgs } from "../../src/cli/commands/serve.ts";
import type { RunningServer } from "../../src/server/server.ts";
import { Lab, requireRoot, sh } from "../helpers/lab.ts";
import { ensureTool } from "../helpers/packages.ts";
import { startTestServer, TestLive } from "../helpers/server-harness.ts";

const root = requireRoot();

describe.if(root)("/capture limits", () => {
  const lab = new Lab();
  let ns = "";
  let server: RunningServer;

  beforeAll(async () => {
    ensureTool("tshark", "tshark");
    ensureTool("capinfos", "wireshark-common");
    ns = lab.netns("cl");
    server = await startTestServer(new TestLive(), { maxCaptures: 2 });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    lab.cleanup();
  });

  const capture = (target: string, extra = "") => fetch(`${server.url}/capture?target=${encodeURIComponent(target)}${extra}`);

  test("at most --max-captures at once: the next one is a 503 naming the limit, until one ends", async () => {
    const first = await capture(`/run/netns/${ns}`);
    const second = await capture(`/run/netns/${ns}`);
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await capture(`/run/netns/${ns}`);
    expect(third.status).toBe(503);
    expect(third.headers.get("retry-after")).toBe("5");
    expect(((await third.json()) as any).errors[0].message).toBe("2 captures are running, the most this server allows (serve --max-captures 2); try again when one ends");
    await first.body!.cancel();
    // The ended capture frees its place (wait for that state, not for a time).
    let again: Response;
    for (let i = 0; (again = await capture(`/run/netns/${ns}`)).status === 503; i++) {
      if (i > 400) throw new Error("a place never came free");
      await Bun.sleep(25);
    }
    expect(again.status).toBe(200);
    await again.body!.cancel();
    await second.body!.cancel();
  });

  test("a capture of the server's own namespace leaves the server's own connections out", async () => {
    const port = new URL(server.url).port;
    const own = String(statSync("/proc/thread-self/ns/net").ino);
    const res = await capture(own, "&nif=lo");
    expect(res.status).toBe(200);
    // Traffic on lo that is not the server's: UDP to the discard port, until enough was captured.
    const udp = createSocket("udp4");
    const sender = setInterval(() => udp.send("wiresight-probe", 9, "127.0.0.1"), 20);
    const chunks: Uint8Array[] = [];
    let bytes = 0;
    const reader = res.body!.getReader();
    try {
      const deadline = Date.now() + 20_000;
      // Other programs talk on lo too: read until a probe of ours is in (or, without the fix, the flood is).
      while (!Buffer.concat(chunks).includes("wiresight-probe") && bytes < 4 * 1024 * 1024) {
        if (Date.now() > deadline) throw new Error("the probes were not captured");
        const { value, done } = await reader.read();
        if (done) break;
        chunks.push(value);
        bytes += value.byteLength;
      }
    } finally {
      clearInterval(sender);
      udp.close();
      await reader.cancel();
    }
    const file = join(lab.dir, "own.pcapng");
    writeFileSync(file, Buffer.concat(chunks));
    const ports = sh("tshark", ["-r", file, "-T", "fields", "-e", "tcp.port", "-e", "udp.dstport"], { allowFail: true });
    const rows = ports.trim().split("\n").filter((l) => l.trim() !== "");
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.split(/[\t,]/).includes(port))).toEqual([]);
    expect(rows.some((r) => r.split(/[\t,]/).includes("9"))).toBe(true);
    expect(sh("capinfos", [file])).toContain(`its own connections (tcp port ${port}) are left out`);
  }, 60_000);

  test("a path target that discovery does not know gets the same 404 whether or not the file exists", async () => {
    const answer = async (path: string) => {
      const r = await capture(path);
      return `${r.status} ${((await r.json()) as any).errors[0].message.replace(path, "PATH")}`;
    };
    const shadow = await answer("/etc/shadow");
    expect(shadow).toStartWith("404 capture target PATH is not a namespace path wiresight found");
    expect(await answer("/etc/no-such-file-here")).toBe(shadow);
  });

  test("--max-captures is checked", () => {
    expect(parseServeArgs(["--max-captures", "3"], {}, () => "").maxCaptures).toBe(3);
    expect(parseServeArgs([], {}, () => "").maxCaptures).toBe(16);
    for (const bad of ["-1", "x", "", "1.5", "20000"]) expect(() => parseServeArgs(["--max-captures", bad], {}, () => "")).toThrow("--max-captures takes a whole number");
  });
});
