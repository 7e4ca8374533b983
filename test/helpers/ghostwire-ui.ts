// The real Ghostwire web UI, as a test client: its build (served by the browser tests) and its own
// model code bundled for Node/Bun (parser.cjs: `fromjson(doc)` turns /json into the UI's model and
// throws where the UI would show "refreshing failed"). A copy is committed in
// test/clients-vendored/ghostwire-webui (MIT, its LICENSE and README beside it), so the tests run
// wherever the repository is cloned; GHOSTWIRE_WEBUI points at another build.

import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "../..");
const CANDIDATES = [
  process.env.GHOSTWIRE_WEBUI,
  join(ROOT, "test/clients-vendored/ghostwire-webui"),
].filter((p): p is string => p !== undefined);

function locate(): string {
  const found = CANDIDATES.find((p) => existsSync(join(p, "parser.cjs")) && existsSync(join(p, "build/index.html")));
  if (!found) throw new Error(`the Ghostwire web UI (parser.cjs and build/) is in none of: ${CANDIDATES.join(", ")}; set GHOSTWIRE_WEBUI`);
  return found;
}

export const WEBUI_DIR = locate();
export const WEBUI_BUILD = join(WEBUI_DIR, "build");

const require = createRequire(import.meta.url);

/** The UI's model of a /json document; throws what the UI would show as "refreshing failed". */
export function fromjson(doc: unknown): any {
  return require(join(WEBUI_DIR, "parser.cjs")).fromjson(doc);
}
