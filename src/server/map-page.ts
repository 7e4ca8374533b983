// The map at `/` (browser code in src/web/): the page Bun's bundler makes of src/web/index.html,
// its script (the layout library and its worker inside) and stylesheet. `bun build --compile`
// bundles it ahead of time and embeds the files in the binary (the import's `files`); running
// from source, the same bundler makes them in memory at the first request. Either way they are
// served as static parts (static-part.ts): compressed, with ETags; the page itself revalidated,
// its hashed script and stylesheet immutable. Static and holding no data, they need no token:
// the page asks the user for one when the server wants it.

import page from "../web/index.html";
import { Part, respond } from "./static-part.ts";

const IMMUTABLE = "public, max-age=31536000, immutable";

/** path on the server ("/" for the page) → part. */
type PageFiles = Map<string, Part>;

async function embedded(files: NonNullable<typeof page.files>): Promise<PageFiles> {
  const out: PageFiles = new Map();
  for (const f of files) {
    const bytes = await Bun.file(f.path).bytes();
    const html = (f.headers["content-type"] ?? "").startsWith("text/html");
    out.set(html ? "/" : `/${f.path.split("/").pop()}`, new Part(bytes, f.headers["content-type"] ?? "application/octet-stream", html ? "no-cache" : IMMUTABLE));
  }
  return out;
}

async function bundledNow(): Promise<PageFiles> {
  const built = await Bun.build({ entrypoints: [page.index], target: "browser", minify: true, publicPath: "/" });
  if (!built.success) throw new AggregateError(built.logs, "the map page does not build");
  const out: PageFiles = new Map();
  for (const o of built.outputs) {
    const html = o.type.startsWith("text/html");
    out.set(html ? "/" : `/${o.path.replace(/^\.\//, "")}`, new Part(new Uint8Array(await o.arrayBuffer()), o.type, html ? "no-cache" : IMMUTABLE));
  }
  return out;
}

let files: Promise<PageFiles> | undefined;

/** The page's files, read from the binary or bundled, once per process. */
function mapPageFiles(): Promise<PageFiles> {
  return (files ??= page.files ? embedded(page.files) : bundledNow());
}

/** The map's second address, where it stays when `serve --ui` gives "/" to another web UI. */
export const MAP_PATH = "/map";

/**
 * Whether `path` may be one of the page's files: "/" or a script or stylesheet at the root (the
 * bundler's hashed names; the page has no other files). Anything else (a browser's /favicon.ico)
 * is not looked up, so it never makes a server run from source bundle the page.
 */
export function isMapPath(path: string): boolean {
  return path === "/" || /^\/[\w.-]+\.(?:js|css)$/.test(path);
}

/** The page at "/" or one of its files (GET or HEAD); null when `path` is neither. */
export async function respondMapPage(req: Request, path: string): Promise<Response | null> {
  const part = (await mapPageFiles()).get(path);
  return part ? respond(part, req) : null;
}
