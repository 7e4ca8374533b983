// ELK runs in a Web Worker, off the page's thread: the page stays responsive (pan, zoom, the
// timeline) while a large wiring is laid out. The worker is elkjs's own elk-worker.min.js
// (bundled into the page as text, started from a blob URL: the binary serves no second script).
//
// The page speaks the worker's message protocol itself (`{id, cmd: "layout", graph,
// layoutOptions}` → `{id, data}` or `{id, error}`) instead of through elkjs's elk-api.js: that
// file is a browserify bundle whose prelude tests `typeof require`, and `bun build --compile`
// bundles an HTML import's scripts with `typeof require` folded to "function", so elk-api.js
// throws "require is not defined" in the browser. The worker file is embedded as text, untouched.

import elkWorkerSource from "elkjs/lib/elk-worker.min.js" with { type: "text" };
import type { ElkGraph } from "./elk-graph.ts";

type Answer = { id: number; data?: unknown; error?: unknown };

class ElkWorker {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, { resolve: (data: unknown) => void; reject: (e: Error) => void }>();
  #next = 0;

  constructor() {
    const url = URL.createObjectURL(new Blob([elkWorkerSource], { type: "text/javascript" }));
    this.#worker = new Worker(url);
    this.#worker.onmessage = (e: MessageEvent<Answer>) => {
      const w = this.#waiting.get(e.data.id);
      if (!w) return;
      this.#waiting.delete(e.data.id);
      if (e.data.error !== undefined) w.reject(layoutError(e.data.error));
      else w.resolve(e.data.data);
    };
    this.#worker.onerror = (e) => {
      const error = new Error(`the layout worker failed: ${e.message}`);
      for (const w of this.#waiting.values()) w.reject(error);
      this.#waiting.clear();
    };
  }

  ask(message: Record<string, unknown>): Promise<unknown> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#worker.postMessage({ ...message, id });
    });
  }
}

/** ELK's errors are GWT exceptions cloned across the worker boundary: plain objects with a message somewhere. */
function layoutError(e: unknown): Error {
  const o = e as { message?: unknown; g?: unknown; detailMessage?: unknown } | null;
  const text = [o?.message, o?.g, o?.detailMessage].find((x) => typeof x === "string" && x !== "");
  return new Error(`layout failed: ${(text as string | undefined) ?? JSON.stringify(e)}`);
}

let elk: Promise<ElkWorker> | undefined;

function engine(): Promise<ElkWorker> {
  elk ??= (async () => {
    const w = new ElkWorker();
    await w.ask({ cmd: "register", algorithms: ["layered"] });
    return w;
  })();
  return elk;
}

/** `graph` with positions and routes filled in. */
export async function layOut(graph: ElkGraph): Promise<ElkGraph> {
  return (await (await engine()).ask({ cmd: "layout", graph, layoutOptions: {}, options: {} })) as ElkGraph;
}
