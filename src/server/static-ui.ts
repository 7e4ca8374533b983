// A web UI served from a directory on the server's own origin (`wiresight serve --ui DIR`), so a
// single-page app that calls /json, /mobydig and links to /capture relative to its origin — the
// Ghostwire web UI (docs/ghostwire.md) — works against wiresight without a proxy in front.
// Files are served as they are; a path without an extension that names no file is one of the
// app's client-side routes (/w, /n/4026531833, …) and gets index.html. No request path leaves
// DIR: it is normalised and must stay under it. Symlinks DIR itself holds are followed (as a web
// server's are by default): whoever can put them there chose what they point at.
//
// The Ghostwire UI takes per-server settings from `<script>window.dynvars = {}</script>` in its
// index.html, which Ghostwire's server fills in per request; we fill in `enableMonolith: true`
// (its capture buttons, packetflix: links to this server's /capture) the same way.

import { existsSync, statSync } from "node:fs";
import { join, normalize, resolve, sep } from "node:path";

/** Ghostwire's placeholder, as its server matches it. */
const DYNVARS = /(<script>window\.dynvars\s*=\s*)\{\}(\s*<\/script>)/;
const DYNVARS_VALUE = JSON.stringify({ enableMonolith: true });

export class StaticUiError extends Error {
  override name = "StaticUiError";
}

export class StaticUi {
  readonly root: string;

  /** Throws StaticUiError unless `dir` is a directory with an index.html. */
  constructor(dir: string) {
    this.root = resolve(dir);
    if (!existsSync(join(this.root, "index.html"))) throw new StaticUiError(`${dir} has no index.html: not a web UI build`);
  }

  /** The file for a GET/HEAD of `pathname`, or null (not found: the caller answers 404). */
  async respond(req: Request, pathname: string): Promise<Response | null> {
    if (req.method !== "GET" && req.method !== "HEAD") return null;
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return null;
    }
    if (decoded.includes("\0")) return null;
    const path = normalize(join(this.root, decoded));
    if (path !== this.root && !path.startsWith(this.root + sep)) return null;
    if (isFile(path)) return this.#file(path, req);
    const last = decoded.slice(decoded.lastIndexOf("/") + 1);
    if (last.includes(".")) return null; // a missing asset, not a route
    return this.#file(join(this.root, "index.html"), req);
  }

  async #file(path: string, req: Request): Promise<Response> {
    const file = Bun.file(path);
    if (path === join(this.root, "index.html")) {
      const html = (await file.text()).replace(DYNVARS, `$1${DYNVARS_VALUE}$2`);
      return new Response(req.method === "HEAD" ? null : html, { headers: { "Content-Type": "text/html;charset=utf-8", "Cache-Control": "no-cache" } });
    }
    // Assets carry content hashes in their names; the app shell (above) is always fetched afresh.
    return new Response(req.method === "HEAD" ? null : file, { headers: { "Content-Type": file.type, "Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff" } });
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
