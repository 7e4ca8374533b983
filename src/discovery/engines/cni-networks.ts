// CNI networks from their configuration files: the .conflist/.conf/.json files of the
// directories an engine uses (/etc/cni/net.d for CRI-O and nerdctl, nerdctl's cni_netconfpath,
// the conf dir containerd's CRI plugin reports), read through the engine's root so that an
// engine in a container is read as it sees them, plus what containerd said it loaded (whose
// directory may be unreadable from here). The bridge plugin names the bridge it makes (default
// cni0); a network made by nerdctl carries its id (nerdctlID) and labels (nerdctlLabels).

import { readFileSync, readdirSync } from "node:fs";
import type { EngineNetworkInfo } from "./inventory.ts";
import { resolveInRoot } from "./in-root.ts";

/** Where CNI configurations live unless configured otherwise (libcni's and CRI-O's default). */
export const DEFAULT_CNI_DIR = "/etc/cni/net.d";
/** nerdctl's configuration, which may move its CNI directory (cni_netconfpath). */
const NERDCTL_TOML = "/etc/nerdctl/nerdctl.toml";
/** The bridge plugin's default bridge name. */
const CNI_DEFAULT_BRIDGE = "cni0";
/** A configuration file larger than this is not one. */
const MAX_CONF_BYTES = 1 << 20;

/**
 * The CNI networks an engine uses, from `dirs` (paths inside the engine's root) and `loaded`
 * (containerd's own account: name and JSON source). A name seen twice keeps its first file; a
 * file that is not a CNI configuration is a warning.
 */
export function readCniNetworks(
  root: string,
  dirs: string[],
  loaded: { name: string; source: string; file: string }[],
  warn: (message: string) => void,
): EngineNetworkInfo[] {
  const byName = new Map<string, EngineNetworkInfo>();
  const add = (text: string, file: string) => {
    const n = parseCniConfig(text, file);
    if (n === null) warn(`${file}: not a CNI network configuration`);
    else if (n.cni!.plugins.includes("loopback") && n.cni!.plugins.length === 1) return; // the runtime's own lo, not a network
    else if (!byName.has(n.name)) byName.set(n.name, n);
  };
  for (const dir of dirs.length === 0 ? [] : [...new Set([...dirs, ...nerdctlDir(root)])]) {
    let names: string[];
    try {
      names = readdirSync(resolveInRoot(root, dir)).filter((f) => /\.(conflist|conf|json)$/.test(f)).sort();
    } catch {
      continue; // no such directory here: nothing configured
    }
    for (const f of names) {
      const file = `${dir.replace(/\/+$/, "")}/${f}`;
      try {
        const text = readFileSync(resolveInRoot(root, file), "utf8");
        if (text.length <= MAX_CONF_BYTES) add(text, file);
      } catch (err) {
        warn(`${file}: ${(err as Error).message}`);
      }
    }
  }
  for (const l of loaded) if (!byName.has(l.name)) add(l.source, l.file);
  return [...byName.values()];
}

/** nerdctl.toml's `cni_netconfpath`, when it sets one. */
function nerdctlDir(root: string): string[] {
  try {
    const m = /^\s*cni_netconfpath\s*=\s*"([^"]+)"/m.exec(readFileSync(resolveInRoot(root, NERDCTL_TOML), "utf8"));
    return m ? [m[1]!] : [];
  } catch {
    return [];
  }
}

type Json = Record<string, unknown>;
const obj = (x: unknown): Json | null => (x !== null && typeof x === "object" && !Array.isArray(x) ? (x as Json) : null);
const str = (x: unknown): string | null => (typeof x === "string" && x !== "" ? x : null);

/** One configuration (a .conflist's plugin chain, or a single-plugin .conf) as a network; null if it is none. */
export function parseCniConfig(text: string, file: string): EngineNetworkInfo | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  const conf = obj(parsed);
  const name = str(conf?.name);
  if (!conf || !name) return null;
  const plugins = Array.isArray(conf.plugins) ? conf.plugins.map(obj).filter((p): p is Json => p !== null) : str(conf.type) ? [conf] : [];
  const types = plugins.map((p) => str(p.type) ?? "?");
  if (types.length === 0) return null;
  const first = plugins[0]!;
  const labels: Record<string, string> = {};
  const nerdctlLabels = obj(conf.nerdctlLabels);
  if (nerdctlLabels) for (const k of Object.keys(nerdctlLabels).sort()) if (typeof nerdctlLabels[k] === "string") labels[k] = nerdctlLabels[k] as string;
  return {
    id: str(conf.nerdctlID) ?? `cni:${name}`,
    name,
    driver: types[0]!,
    internal: false,
    labels,
    options: {},
    libpod: null,
    cni: {
      file,
      cniVersion: str(conf.cniVersion),
      plugins: types,
      subnets: subnetsOf(obj(first.ipam)),
      bridge: types[0] === "bridge" ? (str(first.bridge) ?? CNI_DEFAULT_BRIDGE) : null,
    },
  };
}

/** host-local IPAM: `ranges` (a list of range sets), or the older single `subnet`. */
function subnetsOf(ipam: Json | null): string[] {
  if (!ipam) return [];
  const out: string[] = [];
  if (Array.isArray(ipam.ranges))
    for (const set of ipam.ranges) if (Array.isArray(set)) for (const r of set) {
      const s = str(obj(r)?.subnet);
      if (s) out.push(s);
    }
  const single = str(ipam.subnet);
  if (single) out.push(single);
  return out;
}
