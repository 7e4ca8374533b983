// Container engine events drive the watcher: a container started or removed reaches subscribers
// as an "engine" revision naming it, without waiting for the periodic full pass (an hour here).
// Against a real Docker Engine (test/helpers/docker.ts); the event parser also on hand-written
// lines in Docker's format, including the ones it must ignore.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { parseEngineEvent } from "../../src/discovery/engines/engine-events.ts";
import { containerKey } from "../../src/model/containers.ts";
import { Store } from "../../src/store/index.ts";
import type { RevisionBatch } from "../../src/watch/live.ts";
import { Watcher } from "../../src/watch/watcher.ts";
import { DockerEngine, ensureDockerInstalled, IMAGE } from "../helpers/docker.ts";
import { Lab, requireRoot } from "../helpers/lab.ts";

test("engine events: container and network changes pass, exec and health noise does not, garbage is no event", () => {
  const start = `{"status":"start","id":"c0ffee","from":"busybox","Type":"container","Action":"start","Actor":{"ID":"c0ffee","Attributes":{"image":"busybox","name":"web"}},"scope":"local","time":1,"timeNano":1}`;
  expect(parseEngineEvent(start)).toEqual({ type: "container", action: "start", containerId: "c0ffee" });
  expect(parseEngineEvent(`{"Type":"container","Action":"die","Actor":{"ID":"c0ffee","Attributes":{"exitCode":"0"}}}`)).toEqual({ type: "container", action: "die", containerId: "c0ffee" });
  expect(parseEngineEvent(`{"Type":"network","Action":"connect","Actor":{"ID":"n1","Attributes":{"container":"c0ffee","name":"bridge","type":"bridge"}}}`)).toEqual({ type: "network", action: "connect", containerId: "c0ffee" });
  expect(parseEngineEvent(`{"Type":"network","Action":"create","Actor":{"ID":"n2","Attributes":{"name":"apps","type":"bridge"}}}`)).toEqual({ type: "network", action: "create", containerId: null });
  expect(parseEngineEvent(`{"Type":"container","Action":"exec_start: sh -c true","Actor":{"ID":"c0ffee"}}`)).toBeNull();
  expect(parseEngineEvent(`{"Type":"container","Action":"health_status: healthy","Actor":{"ID":"c0ffee"}}`)).toBeNull();
  expect(parseEngineEvent(`{"Type":"image","Action":"pull","Actor":{"ID":"busybox"}}`)).toBeNull();
  for (const bad of ["", "{", "null", "42", `"start"`, "[]", `{"Type":"container"}`]) expect(parseEngineEvent(bad)).toBeNull();
});

const root = requireRoot();
const LIMIT = 60_000;

describe.if(root)("the watcher follows a real Docker Engine's events", () => {
  const lab = new Lab();
  let engine: DockerEngine;
  let store: Store;
  let watcher: Watcher;
  const batches: RevisionBatch[] = [];

  beforeAll(async () => {
    ensureDockerInstalled();
    engine = new DockerEngine(lab);
    await engine.start();
    store = Store.open(join(lab.dir, "watch.db"));
    watcher = await Watcher.start({ store, fullPassEveryMs: 3_600_000, namespaceRescanEveryMs: 3_600_000 });
    watcher.subscribe((b) => batches.push(b));
  }, 300_000);

  afterAll(async () => {
    await watcher?.stop();
    store?.close();
    await engine?.stop();
    lab.cleanup();
  }, 300_000);

  async function batchWith(what: string, match: (b: RevisionBatch) => boolean): Promise<RevisionBatch> {
    const deadline = Date.now() + LIMIT;
    for (;;) {
      const b = batches.find(match);
      if (b) return b;
      if (Date.now() > deadline) throw new Error(`no batch with ${what} within ${LIMIT} ms; got ${JSON.stringify(batches.map((x) => x.cause))}`);
      await Bun.sleep(20);
    }
  }

  test("a started container arrives as an engine revision, named and in its namespace; its removal too", async () => {
    const id = engine.run(`${lab.prefix}-ev`, IMAGE, "sleep", "3600");
    const key = containerKey("docker", id);
    const added = await batchWith("the container added", (b) => b.events.some((e) => e.kind === "container" && e.op === "added" && e.key === key));
    expect(added.cause.kind).toBe("engine");
    if (added.cause.kind === "engine") expect(added.cause.containers).toContain(key);
    const c = watcher.current().topology.containers.find((x) => x.key === key)!;
    expect(c.name).toBe(`${lab.prefix}-ev`);
    const ns = watcher.current().topology.namespaces.find((n) => n.key === c.netns)!;
    expect(ns.containers).toContain(key);

    engine.docker("rm", "-f", `${lab.prefix}-ev`);
    const removed = await batchWith("the container removed", (b) => b.events.some((e) => e.kind === "container" && e.op === "removed" && e.key === key));
    expect(["engine", "namespaces"]).toContain(removed.cause.kind);
    expect(watcher.current().topology.containers.some((x) => x.key === key)).toBe(false);
  }, 120_000);
});
