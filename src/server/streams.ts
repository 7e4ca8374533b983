// Long-lived responses the server must end on shutdown: SSE subscriptions and HTTP captures.
// Each registers a closer; shutdown calls them all so clients see a clean end of stream (the SSE
// `complete` is not sent, but the body ends normally) instead of a reset connection.

export class OpenStreams {
  readonly #closers = new Set<() => void>();

  get size(): number {
    return this.#closers.size;
  }

  /** Register; returns the function that unregisters. */
  add(close: () => void): () => void {
    this.#closers.add(close);
    return () => this.#closers.delete(close);
  }

  closeAll(): void {
    for (const close of [...this.#closers]) {
      this.#closers.delete(close);
      try {
        close();
      } catch {
        // one stream failing to close must not keep the others open
      }
    }
  }
}

/**
 * The same response with a body that `streams.closeAll()` can end: reads pass through; closing
 * cancels the inner body (yoga then returns the subscription's iterator, unsubscribing it).
 */
export function closableResponse(response: Response, streams: OpenStreams): Response {
  const inner = response.body;
  if (!inner) return response;
  const reader = inner.getReader();
  let unregister = () => {};
  let ended = false;
  const end = (controller: ReadableStreamDefaultController<Uint8Array>, error?: unknown) => {
    if (ended) return;
    ended = true;
    unregister();
    if (error === undefined) controller.close();
    else controller.error(error);
  };
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        unregister = streams.add(() => {
          reader.cancel("server shutting down").catch(() => {});
          end(controller);
        });
      },
      async pull(controller) {
        let r;
        try {
          r = await reader.read();
        } catch (e) {
          end(controller, e);
          return;
        }
        if (ended) return;
        if (r.done) end(controller);
        else controller.enqueue(r.value);
      },
      cancel(reason) {
        ended = true;
        unregister();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}
