// bun test preload (bunfig.toml): as root, installs every Debian package the suite uses before
// the first test file runs (see test/helpers/packages.ts). Without root there is nothing to
// install with, and the tests that need these tools need root anyway.
import { isRoot } from "../helpers/lab.ts";
import { ensureTools, TEST_PACKAGES } from "../helpers/packages.ts";

if (isRoot) {
  const started = performance.now();
  const installed = ensureTools(TEST_PACKAGES);
  if (installed.length > 0) console.error(`test setup: installed ${installed.join(" ")} in ${Math.round((performance.now() - started) / 1000)} s`);
}
