// Assembly: the namespaces read so far, the procfs pass and the engines' answers → one Topology.
// Incremental, so that a change costs what it touches: a namespace re-read after a netlink event
// rebuilds that namespace, recomputes the relations of the namespaces wired to it (veth peers,
// lower devices, underlays, in either direction), and nothing else; a procfs pass rebuilds only
// the namespaces whose procfs-derived inputs (references, tenants, socket owners, tun/tap users)
// changed. Each build() returns a new Topology that shares every untouched namespace object with
// the one before (those are never written again, so earlier snapshots stay as they were), plus
// the scope of what may have changed, for the store to compare only that.
//
// Pure: no kernel access. NSIDs are resolved by the caller (nextNsidWork gives a plan, askNsids
// runs it on whichever thread holds the sockets, applyNsids takes the answers), so a one-shot
// discovery asks on its own thread and `serve` in a reader Worker.

import type { Container, ContainerEngine, ContainerNetwork, Pod } from "../model/containers.ts";
import { resolveForwardedPortDestinations, type ForwardedPort } from "../model/forwarded-ports.ts";
import { oneBindMountPerPath } from "../model/bind-mounts.ts";
import { processKey, type NetnsKey, type ProcessKey } from "../model/keys.ts";
import { resolveServiceEndpoints, type KubeService } from "../model/kube-services.ts";
import { keptMembers, rolesIn, rolesInLists } from "../model/network-processes.ts";
import { schedPolicyName } from "../model/scheduling.ts";
import { compareNamespaces, comparePidNamespaces, sortLists, sortNamespace } from "../model/sort.ts";
import type { Tenant } from "../model/tenants.ts";
import { TOPOLOGY_FORMAT_VERSION, type NetworkInterface, type NetworkNamespace, type Process, type Topology, type Warning } from "../model/topology.ts";
import type { NftRule, RtLink } from "../netlink/index.ts";
import { decorateNamespace, decorationOf, networksWithBridges, type Decoration, type EngineResult } from "./engines/decorate.ts";
import { forwardingFromProxy } from "./forwarded-ports/docker-proxy.ts";
import { kubeProxyServices, ruleId } from "./forwarded-ports/kube-proxy.ts";
import { mergeForwardings } from "./forwarded-ports/merge.ts";
import { forwardingFromRule, type ForwardingCandidate } from "./forwarded-ports/nat-rules.ts";
import { RuleGraph, type NftSetWithElements } from "./forwarded-ports/rule-graph.ts";
import { buildNamespace, dressNamespace } from "./network/build-namespace.ts";
import type { RawNamespace } from "./network/collect-namespace.ts";
import type { DriverInfo } from "./network/interfaces.ts";
import { relate } from "./network/relations.ts";
import { relateSriov, type SriovFunction } from "./network/sriov.ts";
import { relateTunnelUnderlays, sendsFrom, type TunnelNamespace } from "./network/tunnel-underlay.ts";
import { moduleOfLink } from "./network/kinds/index.ts";
import { LinkIndex, planNsids, wantedNsids, type NsidPlan } from "./network/resolve-nsids.ts";
import { missingForDiscovery } from "./procfs/capabilities.ts";
import type { NetnsCandidate } from "./procfs/namespaces.ts";
import type { ProcfsPass, TunUse } from "./procfs-pass.ts";

/** One namespace as read: what a reader hands to assembly (plain data). */
export interface NamespaceRead {
  candidate: NetnsCandidate;
  key: NetnsKey;
  raw: RawNamespace;
  rules: NftRule[];
  /** The sets (with elements) of kube-proxy's nf_tables table, which its rules look up. */
  sets: NftSetWithElements[];
  drivers: ReadonlyMap<number, DriverInfo | null>;
  /** What reading its links, addresses and routes warned about. */
  warnings: Warning[];
  /** What reading its sockets and nf_tables rules warned about. */
  restWarnings: Warning[];
  /** Links, addresses and routes only: its sockets and rules are those of its last full read. */
  partial?: true;
}

/** Which recorded entities a build may have changed: the store compares only these. */
export interface BuildScope {
  /** Namespaces (with everything in them) rebuilt, related anew (as they are now), or gone (null). */
  namespaces: Map<NetnsKey, NetworkNamespace | null>;
  /** Of those, the ones not read again (dressed or related anew): their addresses and routes are as they were. */
  unread: Set<NetnsKey>;
  /** Top-level lists that may have changed. */
  lists: Set<"processes" | "pidNamespaces" | "forwardedPorts" | "engines" | "containers" | "containerNetworks" | "pods" | "services">;
}

export interface AssemblyOptions {
  listeningOnly?: boolean;
}

interface Entry {
  key: NetnsKey;
  /** Position in the NSID link index. */
  id: number;
  candidate: NetnsCandidate;
  tenants: Tenant[];
  tenantWarnings: string[];
  read: NamespaceRead;
  /** Its links, cut to what relations and NSIDs need: kept after the read's bulk is dropped. */
  links: RtLink[];
  /** NSID → the namespace it means (null: none could be found). */
  nsids: Map<number, NetnsKey | null>;
  nsidWarnings: Warning[];
  /** Built, related and decorated; null until the first build. Never written once published. */
  built: NetworkNamespace | null;
  byIndex: Map<number, NetworkInterface>;
  buildWarnings: Warning[];
  forwardings: { netns: NetnsKey; candidate: ForwardingCandidate }[];
  /** kube-proxy's services in its rules, as found (endpoints unresolved, no forwarded ports yet). */
  services: KubeService[];
  /** A hash of the procfs-derived inputs of the last build (compared after each procfs pass). */
  inputs: string;
  /** The processes it gives a network role (model/network-processes.ts), as last counted. */
  roles: { keys: ProcessKey[]; pids: number[] };
  /** Its own processes that it lists (PIDs), as last narrowed. */
  listed: Set<number>;
  /** Its interfaces that are SR-IOV functions, by ifindex (from its last read). */
  sriov: { index: number; fn: SriovFunction }[];
  counts: { interfaces: number; addresses: number; routes: number; sockets: number; tenants: number; retries: number };
}

type Warn = (subject: string, message: string) => void;

export class Assembly {
  readonly #options: AssemblyOptions;
  #procfs: ProcfsPass | null = null;
  /** Per candidate id ("dev:inode"): its tenants from the last procfs pass. */
  #tenants = new Map<string, { tenants: Tenant[]; warnings: string[] }>();
  #tunByInode = new Map<number, TunUse[]>();
  /** tun/tap fds whose namespace the kernel could not say: attributed by device name. */
  #tunByName: TunUse[] = [];
  #tunWarnings: Warning[] = [];
  /** Candidates that could not be read (vanished, no access): their warnings, by candidate id. */
  readonly #unreadable = new Map<string, Warning[]>();

  readonly #entries = new Map<NetnsKey, Entry>();
  readonly #byCandidate = new Map<string, NetnsKey>();
  readonly #byId = new Map<number, NetnsKey>();
  #nextId = 0;
  readonly #links = new LinkIndex();
  /** Namespace → the namespaces whose NSIDs resolve to it (their links point into it). */
  readonly #pointedFrom = new Map<NetnsKey, Set<NetnsKey>>();
  /** tun/tap device name → namespaces holding one: the fallback attribution's index. */
  readonly #tuntapNames = new Map<string, Set<NetnsKey>>();
  /** Namespaces whose links reference an NSID not resolved yet. */
  readonly #needNsids = new Set<NetnsKey>();
  /** Namespaces with an NSID nobody could be found for (asked again when namespaces appear). */
  readonly #unresolved = new Set<NetnsKey>();
  /** Namespaces with nf_tables forwardings; namespaces with warnings (so builds never scan them all). */
  readonly #forwarding = new Set<NetnsKey>();
  /** Namespaces holding SR-IOV functions. */
  readonly #sriov = new Set<NetnsKey>();
  readonly #warned = new Set<NetnsKey>();
  readonly #totals = { interfaces: 0, addresses: 0, routes: 0, sockets: 0, tenants: 0, retries: 0 };
  #proxyForwardings: { netns: NetnsKey; candidate: ForwardingCandidate }[] = [];
  #proxyWarnings: Warning[] = [];

  /** Sorted as the Topology lists them; holds `built` of every built entry. */
  #order: NetworkNamespace[] = [];
  /** Every process procfs saw (the Topology lists only those with a network role). */
  #processes: Process[] = [];
  #processByPid = new Map<number, Process>();
  #processByKey = new Map<ProcessKey, Process>();
  /** Each namespace's own processes, by PID. */
  #membersOf = new Map<NetnsKey, Process[]>();
  /** The processes that have a network role: how many namespaces give each one (by key, by PID), and the top-level lists. */
  readonly #roleKeys = new Map<ProcessKey, number>();
  readonly #rolePids = new Map<number, number>();
  #listRoles = new Set<ProcessKey>();
  /** The processes the Topology lists. */
  #listedProcesses: Process[] = [];
  #forwardedPorts: ForwardedPort[] = [];
  #services: KubeService[] = [];
  #engines: { results: EngineResult[]; warnings: Warning[] } | null = null;
  #decoration: Decoration | null = null;
  #containerNetworks: ContainerNetwork[] = [];

  // What the next build must do.
  /** Read anew: built from the read. */
  readonly #dirty = new Set<NetnsKey>();
  /** Same read, other inputs (procfs, NSIDs, engines): dressed anew from its model (the read is not kept). */
  readonly #redress = new Set<NetnsKey>();
  /** Not rebuilt, but a namespace wired to them went away: their relations are recomputed. */
  readonly #relink = new Set<NetnsKey>();
  /**
   * Their links or NSIDs changed since they were last built: the namespaces wired to them (in
   * either direction) get their relations anew too. Others rebuilt only relate themselves.
   */
  readonly #rewired = new Set<NetnsKey>();
  /** Removed since the last structural build, with what they were built as (still listed until then). */
  readonly #gone = new Map<NetnsKey, Entry>();
  #procfsChanged = false;
  #enginesChanged = false;
  #nsidQueries = 0;

  constructor(options: AssemblyOptions = {}) {
    this.#options = options;
  }

  get size(): number {
    return this.#entries.size;
  }

  keys(): IterableIterator<NetnsKey> {
    return this.#entries.keys();
  }

  /** The namespace a candidate ("dev:inode") was read as, if it was. */
  keyOfCandidate(id: string): NetnsKey | undefined {
    return this.#byCandidate.get(id);
  }

  /**
   * A held namespace could not be read again: its model stays as last read, with these warnings
   * saying why it may be stale (they replace the ones of its last read).
   */
  markStale(key: NetnsKey, warnings: Warning[]): void {
    const e = this.#entries.get(key);
    if (!e) return;
    e.read = { ...e.read, warnings };
    this.#redress.add(key);
  }

  /** The candidate a namespace was last seen as. */
  candidateOf(key: NetnsKey): NetnsCandidate | undefined {
    return this.#entries.get(key)?.candidate;
  }

  /**
   * A new procfs pass. Returns the candidates not read yet (the caller reads them and puts them)
   * and the namespaces no longer found (removed here). Namespaces whose procfs-derived inputs
   * changed are rebuilt by the next build.
   */
  setProcfs(pass: ProcfsPass): { appeared: NetnsCandidate[]; vanished: NetnsKey[] } {
    this.#procfs = pass;
    this.#procfsChanged = true;
    this.#tenants = new Map(pass.candidates.map((c, i) => [candidateId(c), pass.tenants[i]!]));
    this.#tunByInode = new Map();
    this.#tunByName = [];
    for (const u of pass.tunUses) {
      if (u.netnsInode === null) this.#tunByName.push(u);
      else {
        const list = this.#tunByInode.get(u.netnsInode);
        if (list) list.push(u);
        else this.#tunByInode.set(u.netnsInode, [u]);
      }
    }
    const appeared: NetnsCandidate[] = [];
    const seen = new Set<NetnsKey>();
    for (const c of pass.candidates) {
      const key = this.#byCandidate.get(candidateId(c));
      if (key === undefined) {
        appeared.push(c);
        continue;
      }
      seen.add(key);
      this.#entries.get(key)!.candidate = c; // its references may have changed
    }
    const present = new Set(pass.candidates.map(candidateId));
    for (const id of [...this.#unreadable.keys()]) if (!present.has(id)) this.#unreadable.delete(id);
    const vanished = [...this.#entries.keys()].filter((k) => !seen.has(k));
    for (const key of vanished) this.removeNamespace(key);
    // A namespace that appeared may be what an unresolved NSID meant: ask again.
    if (appeared.length > 0) for (const key of [...this.#unresolved]) this.#clearNsids(this.#entries.get(key)!, (t) => t === null);
    return { appeared, vanished };
  }

  /** A candidate that could not be read: its warnings stand in for it until it is read or gone. */
  setUnreadable(candidate: NetnsCandidate, warnings: Warning[]): void {
    this.#unreadable.set(candidateId(candidate), warnings);
  }

  /** Every NSID subject id (for the kernel's fall-back: asking every namespace). */
  subjectIds(): IterableIterator<number> {
    return this.#byId.keys();
  }

  /** A namespace read (new, or read again). A second candidate reaching a namespace already held is ignored. */
  putNamespace(read: NamespaceRead): void {
    const id = candidateId(read.candidate);
    this.#unreadable.delete(id);
    const existing = this.#entries.get(read.key);
    if (existing && candidateId(existing.candidate) !== id) return; // one namespace reached by two paths (dedup is by inode: should not happen)
    const tenants = this.#tenants.get(id) ?? { tenants: [], warnings: [] };
    if (existing) {
      // Its candidate stays the one of the latest procfs pass (a read may have been asked for
      // before it); a partial read keeps the sockets and rules of the last full one.
      const last = existing.read;
      existing.read = read.partial
        ? { ...read, candidate: existing.candidate, raw: { ...read.raw, sockets: last.raw.sockets, socketsError: last.raw.socketsError }, rules: last.rules, sets: last.sets, restWarnings: last.restWarnings }
        : { ...read, candidate: existing.candidate };
      const links = read.raw.links.map(slimLink);
      if (JSON.stringify(links) !== JSON.stringify(existing.links)) this.#rewired.add(read.key);
      existing.links = links;
      // Links changed: NSIDs they no longer reference are forgotten, new ones are asked.
      const wanted = wantedNsids(existing.links);
      this.#clearNsids(existing, (_t, nsid) => !wanted.has(nsid));
      this.#links.set(existing.id, existing.links);
    } else {
      const entry: Entry = {
        key: read.key,
        id: this.#nextId++,
        candidate: read.candidate,
        tenants: tenants.tenants,
        tenantWarnings: tenants.warnings,
        read,
        links: read.raw.links.map(slimLink),
        nsids: new Map(),
        nsidWarnings: [],
        built: null,
        byIndex: new Map(),
        buildWarnings: [],
        forwardings: [],
        services: [],
        inputs: "",
        roles: { keys: [], pids: [] },
        listed: new Set(),
        sriov: [],
        counts: { interfaces: 0, addresses: 0, routes: 0, sockets: 0, tenants: 0, retries: 0 },
      };
      this.#entries.set(read.key, entry);
      this.#byCandidate.set(id, read.key);
      this.#byId.set(entry.id, read.key);
      this.#links.set(entry.id, entry.links);
      this.#rewired.add(read.key);
      this.#procfsChanged = true; // processes gain their namespace key
    }
    this.#dirty.add(read.key);
    this.#trackNsidNeed(this.#entries.get(read.key)!);
  }

  removeNamespace(key: NetnsKey): void {
    const e = this.#entries.get(key);
    if (!e) return;
    this.#entries.delete(key);
    this.#byCandidate.delete(candidateId(e.candidate));
    this.#byId.delete(e.id);
    this.#links.delete(e.id);
    this.#setNsids(e, new Map());
    // Whoever pointed into it: their NSID of it means nothing now (a new namespace may take it).
    for (const from of this.#pointedFrom.get(key) ?? []) {
      const f = this.#entries.get(from);
      if (f) this.#clearNsids(f, (t) => t === key);
    }
    this.#pointedFrom.delete(key);
    // Where it pointed: their reverse edges (slaves, overlays) from it go.
    for (const n of e.built?.nsids ?? []) if (n.netns !== null && this.#entries.has(n.netns)) this.#relink.add(n.netns);
    for (const set of [this.#dirty, this.#redress, this.#relink, this.#rewired, this.#needNsids, this.#unresolved, this.#forwarding]) set.delete(key);
    this.#gone.set(key, e); // still listed (and counted) until the next structural build
    this.#procfsChanged = true;
  }

  /** An NSID was added or deleted in a namespace: what it resolved is stale. */
  forgetNsids(key: NetnsKey): void {
    const e = this.#entries.get(key);
    if (e) this.#clearNsids(e, () => true);
  }

  /**
   * The next namespace whose links reference NSIDs not resolved yet, with the questions to ask
   * the kernel about them (NSIDs settled by the structure alone are taken on the way); null when
   * none is left. The plan names namespaces by subject id (keyOfId).
   */
  nextNsidWork(): { key: NetnsKey; id: number; plan: NsidPlan } | null {
    const pending = [...this.#needNsids]
      .map((k) => this.#entries.get(k)!)
      .sort((a, b) => Number(b.candidate.initial) - Number(a.candidate.initial) || a.candidate.inode - b.candidate.inode || a.candidate.dev - b.candidate.dev);
    for (const e of pending) {
      const plan = planNsids(e.id, e.links, this.#links, (id) => this.#nsidLookup(id));
      if (plan.settled.length > 0) {
        const next = new Map(e.nsids);
        for (const [nsid, id] of plan.settled) next.set(nsid, this.#byId.get(id) ?? null);
        this.#setNsids(e, next);
      }
      if (plan.questions.length > 0) return { key: e.key, id: e.id, plan: { settled: [], questions: plan.questions } };
    }
    return null;
  }

  /** The namespace behind an NSID plan's subject id. */
  keyOfId(id: number): NetnsKey | undefined {
    return this.#byId.get(id);
  }

  /** What askNsids answered for a namespace (NSID → subject id or null), and the queries it took. */
  applyNsids(key: NetnsKey, answers: ReadonlyMap<number, number | null>, queries: number): void {
    this.#nsidQueries += queries;
    const e = this.#entries.get(key);
    if (!e) return;
    const wanted = wantedNsids(e.links);
    const next = new Map(e.nsids);
    for (const [nsid, id] of answers) if (wanted.has(nsid)) next.set(nsid, id === null ? null : (this.#byId.get(id) ?? null));
    this.#setNsids(e, next);
  }

  /** Asking failed altogether: the namespace's unresolved NSIDs stay unresolved, with a warning. */
  failNsids(key: NetnsKey, message: string): void {
    const e = this.#entries.get(key);
    if (!e) return;
    const next = new Map(e.nsids);
    for (const nsid of wantedNsids(e.links).keys()) if (!next.has(nsid)) next.set(nsid, null);
    e.nsidWarnings = [{ subject: key, message: `resolving NSIDs failed: ${message}` }];
    this.#setNsids(e, next);
  }

  /** The engines' latest answers (null: engines not asked), with what asking them warned about. */
  setEngines(engines: { results: EngineResult[]; warnings: Warning[] } | null): void {
    this.#engines = engines;
    this.#enginesChanged = true;
  }


  /** Whether a build has anything to do beyond the run information. */
  get pending(): boolean {
    return this.#dirty.size + this.#redress.size + this.#gone.size + this.#relink.size > 0 || this.#procfsChanged || this.#enginesChanged;
  }

  /**
   * Builds what changed and returns the Topology as it stands now, with the scope of what may
   * differ from the previous one. `only`: build just these namespaces (and relate their
   * neighbours), leaving every other change — and whatever the last procfs pass or engine answer
   * changed host-wide — for a later build (a watcher serving one namespace's kernel events in the
   * middle of a longer pass). `budget`: build changed namespaces holding about this many entities
   * (interfaces, addresses, routes, sockets; at least one namespace), leaving the rest for the
   * next build: each build, and the recording of it, is then a bounded piece of work.
   */
  build(discoveredAt: string, opts: { only?: ReadonlySet<NetnsKey>; budget?: number } = {}): { topology: Topology; scope: BuildScope } {
    const procfs = this.#procfs;
    if (!procfs) throw new Error("assembly: no procfs pass yet");
    const structural = opts.only === undefined;
    const scope: BuildScope = { namespaces: new Map(), unread: new Set(), lists: new Set() };
    const buildWarn = (e: Entry): Warn => (subject, message) => e.buildWarnings.push({ subject, message });

    const affected = new Set<NetnsKey>();
    // Processes whose network role may have come or gone: their namespaces list them anew.
    const flipped = new Set<NetnsKey>();
    const hostWide = structural && (this.#procfsChanged || this.#enginesChanged);
    // SR-IOV functions came, went or were read anew: all are related anew (physical NICs: few).
    let sriovTouched = false;
    if (structural) {
      for (const [key, e] of this.#gone) {
        this.#countRoles(e, { keys: [], pids: [] }, flipped);
        sriovTouched ||= this.#sriov.delete(key);
        if (e.built) {
          this.#replaceInOrder(e.built, null);
          for (const [name] of this.#tuntapsOf(e)) this.#tuntapNames.get(name)?.delete(key);
          this.#addCounts(e, -1);
        }
        this.#warned.delete(key);
        scope.namespaces.set(key, null);
      }
      this.#gone.clear();
      for (const k of this.#relink) affected.add(k);
      this.#relink.clear();
      if (this.#procfsChanged) {
        this.#buildProcesses(procfs);
        scope.lists.add("processes");
        scope.lists.add("pidNamespaces");
      }
      if (this.#procfsChanged || this.#enginesChanged) {
        this.#decorate(procfs, scope);
        // Namespaces whose procfs-derived inputs changed are rebuilt too.
        for (const e of this.#entries.values()) {
          this.#takeTenants(e);
          if (!this.#dirty.has(e.key) && e.built && this.#inputsOf(e) !== e.inputs) this.#redress.add(e.key);
        }
      }
      this.#procfsChanged = false;
      this.#enginesChanged = false;
    }
    const selected = new Set<NetnsKey>();
    const fromRead = new Set<NetnsKey>();
    let spent = 0;
    for (const key of opts.only ?? [...this.#dirty, ...this.#redress]) {
      if (!this.#dirty.has(key) && !this.#redress.has(key)) continue;
      if (selected.size > 0 && spent >= (opts.budget ?? Infinity)) break;
      spent += this.#size(this.#entries.get(key)!);
      selected.add(key);
      if (this.#dirty.delete(key) || !this.#entries.get(key)!.built) fromRead.add(key);
      this.#redress.delete(key);
      this.#takeTenants(this.#entries.get(key)!);
    }

    // 1. Rebuild what changed. Those and whoever is wired to them get their relations anew.
    const shared = { socketOwners: procfs.socketOwners, services: procfs.services };
    const processesByPid = procfs.processes;
    for (const key of selected) {
      const e = this.#entries.get(key)!;
      const before = e.built;
      e.buildWarnings = [];
      for (const [name] of this.#tuntapsOf(e)) this.#tuntapNames.get(name)?.delete(key);
      const input = { key, candidate: e.candidate, raw: e.read.raw, drivers: e.read.drivers, nsids: e.nsids, tenants: e.tenants };
      if (fromRead.has(key)) {
        const { namespace, byIndex } = buildNamespace(input, procfs.bootId, processesByPid, buildWarn(e), shared);
        e.built = namespace;
        e.byIndex = byIndex;
        // kube-proxy's services (its chains and maps read as a whole), then the other DNAT rules.
        const kube = kubeProxyServices(key, new RuleGraph(e.read.rules, e.read.sets));
        e.services = kube.services;
        e.forwardings = kube.candidates.map((candidate) => ({ netns: key, candidate }));
        for (const rule of e.read.rules) {
          if (kube.claimed.has(ruleId(rule))) continue;
          const candidate = forwardingFromRule(rule);
          if (candidate) e.forwardings.push({ netns: key, candidate });
        }
        const sriov = [...e.read.drivers].flatMap(([index, d]) => (d?.sriov ? [{ index, fn: d.sriov }] : []));
        sriovTouched ||= sriov.length > 0 || e.sriov.length > 0;
        e.sriov = sriov;
        if (sriov.length > 0) this.#sriov.add(key);
        else this.#sriov.delete(key);
        // Built: of the read, only its sockets and rules are needed again (a partial read takes
        // them over), and what `links` keeps (relations, NSIDs).
        e.read = { ...e.read, raw: { ...e.read.raw, links: [], addresses: [], routes: [] }, drivers: new Map() };
      } else {
        const interfaces = before!.interfaces.map((i) => ({ ...i, users: [], containerNetwork: null, relations: { ...i.relations } }));
        e.built = { ...before!, interfaces, sockets: before!.sockets.map((x) => ({ ...x })), containers: [] };
        e.byIndex = new Map(interfaces.map((i) => [i.index, i]));
        dressNamespace(e.built, input, procfs.bootId, processesByPid, buildWarn(e), shared);
      }
      for (const [name] of this.#tuntapsOf(e)) {
        let s = this.#tuntapNames.get(name);
        if (!s) this.#tuntapNames.set(name, (s = new Set()));
        s.add(key);
      }
      e.inputs = this.#inputsOf(e);
      if (e.forwardings.length > 0) this.#forwarding.add(key);
      else this.#forwarding.delete(key);
      this.#replaceInOrder(before, null);
      // Fresh interfaces need their relations (a namespace only dressed anew keeps its, copied);
      // new wiring changes its neighbours' too.
      if (fromRead.has(key) || this.#rewired.has(key)) affected.add(key);
      if (this.#rewired.delete(key)) {
        for (const k of this.#pointedFrom.get(key) ?? []) affected.add(k);
        for (const t of e.nsids.values()) if (t !== null) affected.add(t);
        if (before) for (const n of before.nsids) if (n.netns !== null) affected.add(n.netns);
      }
    }
    if (sriovTouched) for (const k of this.#sriov) affected.add(k);
    // A tunnel that names no device sends by the routes of the namespace it sends from: read anew,
    // that namespace relates the tunnels sending from it anew (their own namespace relates itself).
    for (const key of fromRead)
      for (const k of this.#pointedFrom.get(key) ?? []) {
        const view = this.#relationView(k);
        if (view && sendsFrom(k, view, key)) affected.add(k);
      }
    // Namespaces wired to a changed one but not rebuilt: fresh copies of their interfaces to
    // write relations into (the published objects stay as they were).
    for (const key of affected) {
      const e = this.#entries.get(key);
      if (!e || selected.has(key) || !e.built) continue;
      const before = e.built;
      const interfaces = before.interfaces.map((i) => ({ ...i, relations: { ...i.relations } }));
      e.built = { ...before, interfaces };
      e.byIndex = new Map(interfaces.map((i) => [i.index, i]));
      this.#replaceInOrder(before, null);
    }
    const sources = new Set<NetnsKey>();
    for (const key of affected) {
      if (this.#entries.has(key)) sources.add(key);
      for (const k of this.#pointedFrom.get(key) ?? []) sources.add(k);
    }
    relate(affected, sources, (key) => this.#relationView(key));
    relateTunnelUnderlays(affected, sources, (key) => this.#relationView(key));
    if (sriovTouched)
      relateSriov([...this.#sriov].flatMap((k) => {
        const e = this.#entries.get(k)!;
        return e.sriov.flatMap(({ index, fn }) => {
          const iface = e.byIndex.get(index);
          return iface ? [{ iface, fn }] : [];
        });
      }));

    // 2. Per namespace: tun/tap users, containers; then sorted into place.
    for (const key of new Set([...selected, ...affected])) {
      const e = this.#entries.get(key);
      if (!e?.built) continue;
      if (selected.has(key)) {
        this.#assignTunUsers(e, buildWarn(e));
        decorateNamespace(e.built, this.#decoration?.namespaces.get(key));
        sortNamespace(e.built);
        this.#count(e);
        this.#countRoles(e, rolesIn(e.built), flipped);
        if (e.read.warnings.length + e.read.restWarnings.length + e.tenantWarnings.length + e.nsidWarnings.length + e.buildWarnings.length > 0) this.#warned.add(key);
        else this.#warned.delete(key);
      }
      this.#replaceInOrder(null, e.built);
      scope.namespaces.set(key, e.built);
      if (!fromRead.has(key)) scope.unread.add(key);
    }

    // 3. Top-level lists.
    const previousPorts = this.#forwardedPorts;
    if (scope.namespaces.size > 0 || scope.lists.has("processes") || (structural && previousPorts.length > 0)) {
      this.#findForwardedPorts();
      if (previousPorts.length > 0 || this.#forwardedPorts.length > 0) scope.lists.add("forwardedPorts");
    }
    // Services name their forwarded ports, and their endpoints the pods: made anew when either changed.
    if (scope.lists.has("forwardedPorts") || scope.lists.has("pods")) {
      const previousServices = this.#services;
      this.#findServices();
      if (previousServices.length > 0 || this.#services.length > 0) scope.lists.add("services");
    }
    if (this.#decoration && (scope.lists.has("containerNetworks") || [...this.#decoration.bridgeNetns.values()].some((k) => scope.namespaces.has(k)))) {
      this.#containerNetworks = networksWithBridges(this.#decoration, (k) => this.#entries.get(k)?.built?.interfaces); // keeps their order
      scope.lists.add("containerNetworks");
    }
    this.#narrowProcesses(scope, selected, affected, flipped, hostWide);

    const topology = this.#snapshot(procfs, discoveredAt);
    if (scope.lists.has("forwardedPorts")) {
      // Destinations follow routes and wiring across namespaces, so they are resolved on the
      // topology as a whole (an index of every namespace): by a structural build for every port,
      // by one serving kernel events only for ports those namespaces touch (holding, receiving or
      // now owning the destination address) — a namespace merely on the path is caught up by
      // the next structural build.
      const which = structural ? this.#forwardedPorts : this.#touchedPorts(previousPorts, scope);
      resolveForwardedPortDestinations(topology, which);
      this.#forwardedPorts.sort((a, b) => this.#positionOf(a.netns) - this.#positionOf(b.netns) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    }
    if (scope.lists.has("services")) {
      resolveServiceEndpoints(topology);
      this.#services.sort((a, b) => this.#positionOf(a.netns) - this.#positionOf(b.netns) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    }

    this.#nsidQueries = 0;
    return { topology, scope };
  }

  // -------------------------------------------------------------------------------------------

  #snapshot(procfs: ProcfsPass, discoveredAt: string): Topology {
    const totals = this.#totals;
    const withWarnings = [...this.#warned].map((k) => this.#entries.get(k)!).filter((e) => e.built);
    withWarnings.sort((a, b) => compareNamespaces(a.built!, b.built!));
    const warnings: Warning[] = [...procfs.warnings];
    for (const w of this.#unreadable.values()) warnings.push(...w);
    for (const e of withWarnings) {
      warnings.push(...e.read.warnings, ...e.read.restWarnings);
      for (const m of e.tenantWarnings) warnings.push({ subject: e.key, message: m });
      warnings.push(...e.nsidWarnings, ...e.buildWarnings);
    }
    warnings.push(...this.#tunWarnings, ...procfs.serviceWarnings, ...this.#proxyWarnings);
    if (this.#engines) warnings.push(...procfs.engineWarnings, ...this.#engines.warnings);
    if (this.#decoration) warnings.push(...this.#decoration.warnings);
    const d = this.#decoration;
    return {
      formatVersion: TOPOLOGY_FORMAT_VERSION,
      host: { bootId: procfs.bootId, hostname: procfs.host.hostname, kernelRelease: procfs.host.kernelRelease, kernelVersion: procfs.host.kernelVersion, os: procfs.host.os, cpusOnline: procfs.host.cpusOnline },
      discoveredAt,
      namespaces: [...this.#order],
      processes: this.#listedProcesses,
      pidNamespaces: procfs.pidNamespaces.list,
      forwardedPorts: this.#forwardedPorts,
      engines: d ? d.engines : ([] as ContainerEngine[]),
      containers: d ? d.containers : ([] as Container[]),
      containerNetworks: d ? this.#containerNetworks : [],
      pods: d ? d.pods : ([] as Pod[]),
      services: this.#services,
      privileges: { root: process.getuid?.() === 0, missing: missingForDiscovery(procfs.host.caps) },
      warnings,
      stats: {
        durationMs: 0,
        namespaces: this.#order.length,
        interfaces: totals.interfaces,
        addresses: totals.addresses,
        routes: totals.routes,
        sockets: totals.sockets,
        socketStates: this.#options.listeningOnly ? "listening" : "all",
        processes: this.#listedProcesses.length,
        tenants: totals.tenants,
        dnsFileSets: procfs.tenantStats.dnsFileSets,
        utsNamespaces: procfs.tenantStats.utsNamespaces,
        nsidQueries: this.#nsidQueries,
        dumpRetries: totals.retries,
        initialNamespaceBy: procfs.initialMethod,
      },
    };
  }

  /** How many entities a namespace holds (or its read does, before its first build). */
  #size(e: Entry): number {
    // Dressed anew, its addresses and routes are not compared again.
    if (e.built && !this.#dirty.has(e.key)) return 1 + e.counts.interfaces + e.counts.sockets;
    if (e.built) return e.counts.interfaces + e.counts.addresses + e.counts.routes + e.counts.sockets;
    const raw = e.read.raw;
    return raw.links.length + raw.addresses.length + raw.routes.length + raw.sockets.length;
  }

  #count(e: Entry): void {
    const ns = e.built!;
    this.#addCounts(e, -1);
    e.counts = {
      interfaces: ns.interfaces.length,
      addresses: ns.interfaces.reduce((n, i) => n + i.addresses.length, 0),
      routes: ns.routes.length,
      sockets: ns.sockets.length,
      tenants: ns.tenants.length,
      retries: e.read.raw.retries,
    };
    this.#addCounts(e, 1);
  }

  #addCounts(e: Entry, sign: 1 | -1): void {
    for (const k of Object.keys(this.#totals) as (keyof Entry["counts"])[]) this.#totals[k] += sign * e.counts[k];
  }

  #takeTenants(e: Entry): void {
    const tenants = this.#tenants.get(candidateId(e.candidate));
    if (tenants) [e.tenants, e.tenantWarnings] = [tenants.tenants, tenants.warnings];
  }

  /** Removes `out` from the sorted order and/or inserts `into` at its place. */
  #replaceInOrder(out: NetworkNamespace | null, into: NetworkNamespace | null): void {
    if (out) {
      const at = this.#search(out);
      if (this.#order[at] === out) this.#order.splice(at, 1);
      else {
        const i = this.#order.indexOf(out); // its sort fields cannot have changed in place; defensive
        if (i >= 0) this.#order.splice(i, 1);
      }
    }
    if (into) this.#order.splice(this.#search(into), 0, into);
  }

  /** The first position whose namespace does not sort before `ns`. */
  #search(ns: NetworkNamespace): number {
    let lo = 0;
    let hi = this.#order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareNamespaces(this.#order[mid]!, ns) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #positionOf(key: NetnsKey): number {
    const ns = this.#entries.get(key)?.built;
    return ns ? this.#search(ns) : -1;
  }

  #relationView(key: NetnsKey): TunnelNamespace | undefined {
    const e = this.#entries.get(key);
    return e?.built ? { links: e.links, byIndex: e.byIndex, nsids: e.nsids, routes: e.built.routes } : undefined;
  }

  #nsidLookup(id: number): { get(nsid: number): number | null | undefined; has(nsid: number): boolean } | undefined {
    const key = this.#byId.get(id);
    const e = key === undefined ? undefined : this.#entries.get(key);
    if (!e) return undefined;
    return {
      has: (nsid) => e.nsids.has(nsid),
      get: (nsid) => {
        const t = e.nsids.get(nsid);
        if (t === undefined || t === null) return t;
        return this.#entries.get(t)?.id ?? null;
      },
    };
  }

  /** Sets a namespace's NSID map, keeping the reverse index right; marks it for rebuilding. */
  #setNsids(e: Entry, next: Map<number, NetnsKey | null>): void {
    const same = next.size === e.nsids.size && [...next].every(([nsid, t]) => e.nsids.get(nsid) === t && e.nsids.has(nsid));
    if (!same && this.#entries.has(e.key)) this.#rewired.add(e.key);
    for (const t of e.nsids.values()) if (t !== null) this.#pointedFrom.get(t)?.delete(e.key);
    e.nsids = next;
    for (const t of next.values()) {
      if (t === null) continue;
      let s = this.#pointedFrom.get(t);
      if (!s) this.#pointedFrom.set(t, (s = new Set()));
      s.add(e.key);
    }
    if (!this.#entries.has(e.key)) return;
    if (!this.#dirty.has(e.key)) this.#redress.add(e.key);
    if ([...next.values()].includes(null)) this.#unresolved.add(e.key);
    else this.#unresolved.delete(e.key);
    this.#trackNsidNeed(e);
  }

  #trackNsidNeed(e: Entry): void {
    for (const l of e.links)
      if (l.linkNetnsid !== undefined && l.linkNetnsid >= 0 && !e.nsids.has(l.linkNetnsid)) {
        this.#needNsids.add(e.key);
        return;
      }
    this.#needNsids.delete(e.key);
  }

  #clearNsids(e: Entry, drop: (target: NetnsKey | null, nsid: number) => boolean): void {
    const next = new Map([...e.nsids].filter(([nsid, t]) => !drop(t, nsid)));
    if (next.size === e.nsids.size) return;
    e.nsidWarnings = [];
    this.#setNsids(e, next);
  }

  /** Every non-netlink input a namespace's model depends on, as one string to compare. */
  #inputsOf(e: Entry): string {
    const procfs = this.#procfs!;
    const c = e.candidate;
    const holders = c.references.map((r) => (r.kind === "process" ? procfs.processes.get(r.pid)?.startTime : r.kind === "bindmount" ? 0 : procfs.processes.get(r.pid)?.comm));
    const owners = e.built?.sockets.map((s) => (s.inode ? (procfs.socketOwners.get(s.inode) ?? null) : null)) ?? null;
    const tun = this.#tunByInode.get(c.inode)?.map((u) => [u.pid, u.name, procfs.processes.get(u.pid)?.startTime]);
    const decoration = this.#decoration?.namespaces.get(e.key);
    return Bun.hash(JSON.stringify([
      c.initial,
      c.references,
      holders,
      e.tenants,
      e.tenantWarnings,
      owners,
      tun ?? null,
      decoration ? [decoration.containers, [...decoration.tenantContainers], [...decoration.bridges], decoration.podName] : null,
      this.#tunByName.length > 0 ? this.#tunByName.map((u) => u.name) : null,
      procfs.services.byPort.size,
    ])).toString(36);
  }

  #tuntapsOf(e: Entry): [string, NetworkInterface][] {
    return e.built ? e.built.interfaces.filter((i) => i.kind === "tuntap").map((i) => [i.name, i] as [string, NetworkInterface]) : [];
  }

  /**
   * tun/tap users of one namespace: the fds the kernel says hold one of its devices, and those it
   * could not say about (kernel < 5.2, no ptrace access) whose device name only this namespace has.
   */
  #assignTunUsers(e: Entry, warn: Warn): void {
    const keyOf = (pid: number) => this.#processByPid.get(pid)?.key;
    for (const u of this.#tunByInode.get(e.candidate.inode) ?? []) {
      const user = keyOf(u.pid);
      if (user === undefined) continue;
      const iface = e.built!.interfaces.find((i) => i.kind === "tuntap" && i.name === u.name);
      if (!iface) {
        warn(e.key, `pid ${u.pid} fd ${u.fd}: tun/tap ${u.name} is not among its interfaces (created or renamed meanwhile?)`);
        continue;
      }
      if (!iface.users.includes(user)) iface.users.push(user);
    }
    for (const u of this.#tunByName) {
      const user = keyOf(u.pid);
      const holders = this.#tuntapNames.get(u.name);
      if (user === undefined || holders?.size !== 1 || !holders.has(e.key)) continue;
      const iface = e.built!.interfaces.find((i) => i.kind === "tuntap" && i.name === u.name)!;
      if (!iface.users.includes(user)) iface.users.push(user);
    }
  }

  /** The process list, each with its namespace; and the tun/tap fds nobody could be given. */
  #buildProcesses(procfs: ProcfsPass): void {
    const pidToNetns = new Map<number, NetnsKey>();
    for (const e of this.#entries.values()) for (const r of e.candidate.references) if (r.kind === "process") pidToNetns.set(r.pid, e.key);
    this.#processes = [...procfs.processes.values()].map((p) => ({
      key: processKey(procfs.bootId, p.pid, p.startTime),
      pid: p.pid,
      ppid: p.ppid,
      comm: p.comm,
      cmdline: p.cmdline,
      startTime: p.startTime,
      uid: p.uid,
      netns: pidToNetns.get(p.pid) ?? null,
      pidns: procfs.pidNamespaces.keyOfPid.get(p.pid) ?? null,
      scheduling: p.scheduling && { ...p.scheduling, policy: schedPolicyName(p.scheduling.policy) },
      cpuAffinity: p.cpuAffinity,
    }));
    this.#processes.sort((a, b) => a.pid - b.pid);
    procfs.pidNamespaces.list.sort(comparePidNamespaces);
    this.#processByPid = new Map(this.#processes.map((p) => [p.pid, p]));
    this.#processByKey = new Map(this.#processes.map((p) => [p.key, p]));
    this.#membersOf = new Map();
    for (const p of this.#processes) {
      if (p.netns === null) continue;
      const list = this.#membersOf.get(p.netns);
      if (list) list.push(p);
      else this.#membersOf.set(p.netns, [p]);
    }
    this.#proxyForwardings = [];
    this.#proxyWarnings = [];
    for (const p of this.#processes) {
      const candidate = forwardingFromProxy(p, (m) => this.#proxyWarnings.push({ subject: p.key, message: m }));
      if (!candidate) continue;
      if (p.netns === null) {
        this.#proxyWarnings.push({ subject: p.key, message: `docker-proxy pid ${p.pid}: its network namespace is unknown, forwarding skipped` });
        continue;
      }
      this.#proxyForwardings.push({ netns: p.netns, candidate });
    }
    const byInode = new Set([...this.#entries.values()].map((e) => e.candidate.inode));
    this.#tunWarnings = [];
    for (const [inode, uses] of this.#tunByInode)
      if (!byInode.has(inode))
        for (const u of uses) this.#tunWarnings.push({ subject: "procfs", message: `pid ${u.pid} fd ${u.fd}: tun/tap ${u.name} lives in net:[${inode}], which was not discovered` });
    for (const u of this.#tunByName) {
      const holders = this.#tuntapNames.get(u.name)?.size ?? 0;
      if (holders === 1) continue;
      const where = holders === 0 ? "no discovered namespace has it" : `${holders} namespaces have one`;
      this.#tunWarnings.push({ subject: "procfs", message: `pid ${u.pid} fd ${u.fd}: tun/tap ${u.name} not attributed: its namespace is unknown (${u.why}) and ${where}` });
    }
  }

  #decorate(procfs: ProcfsPass, scope: BuildScope): void {
    const before = this.#decoration;
    if (!this.#engines) {
      this.#decoration = null;
    } else {
      const netnsByInode = new Map([...this.#entries.values()].map((e) => [candidateId(e.candidate), e.key]));
      this.#decoration = decorationOf(this.#engines.results, this.#processByPid, netnsByInode, procfs.procRoot);
      const { engines, containers, containerNetworks, pods } = this.#decoration;
      sortLists({ engines, containers, containerNetworks, pods, processes: [], pidNamespaces: [], forwardedPorts: [], services: [] }, () => 0);
    }
    if (before || this.#decoration) for (const l of ["engines", "containers", "containerNetworks", "pods"] as const) scope.lists.add(l);
    if (!this.#decoration) this.#containerNetworks = [];
  }

  /**
   * Counts the processes a namespace gives a network role (`roles`: its new ones), noting the
   * namespaces of those whose role came or went in `flipped`.
   */
  #countRoles(e: Entry, roles: Entry["roles"], flipped: Set<NetnsKey>): void {
    const flip = (p: Process | undefined) => p?.netns != null && flipped.add(p.netns);
    const count = <K>(counts: Map<K, number>, key: K, by: number, owner: () => Process | undefined) => {
      const n = (counts.get(key) ?? 0) + by;
      if (n === 0) counts.delete(key);
      else counts.set(key, n);
      if ((n === 0) !== (n - by === 0)) flip(owner());
    };
    for (const k of e.roles.keys) count(this.#roleKeys, k, -1, () => this.#processByKey.get(k));
    for (const pid of e.roles.pids) count(this.#rolePids, pid, -1, () => this.#processByPid.get(pid));
    for (const k of roles.keys) count(this.#roleKeys, k, 1, () => this.#processByKey.get(k));
    for (const pid of roles.pids) count(this.#rolePids, pid, 1, () => this.#processByPid.get(pid));
    e.roles = roles;
  }

  #hasRole(p: Process): boolean {
    return this.#roleKeys.has(p.key) || this.#rolePids.has(p.pid) || this.#listRoles.has(p.key);
  }

  /**
   * Narrows what the Topology says about processes to those with a network role
   * (model/network-processes.ts), and each namespace's bind mounts to one per path: the
   * namespaces built now, and those whose own processes' role came or went (every namespace
   * after a procfs pass or an engine answer: a host-wide change anyway). A namespace built before
   * is copied, not written (it is published), and recorded anew.
   */
  #narrowProcesses(scope: BuildScope, selected: ReadonlySet<NetnsKey>, affected: ReadonlySet<NetnsKey>, flipped: Set<NetnsKey>, hostWide: boolean): void {
    if (hostWide) {
      const d = this.#decoration;
      const before = this.#listRoles;
      const pidNamespaces = this.#procfs!.pidNamespaces.list;
      this.#listRoles = new Set(rolesInLists({ forwardedPorts: this.#forwardedPorts, engines: d?.engines ?? [], containers: d?.containers ?? [], pidNamespaces }));
      for (const k of new Set([...before, ...this.#listRoles])) {
        const netns = this.#processByKey.get(k)?.netns;
        if (before.has(k) !== this.#listRoles.has(k) && netns != null) flipped.add(netns);
      }
    }
    let changed = hostWide;
    for (const key of hostWide ? this.#entries.keys() : new Set([...selected, ...flipped])) {
      const e = this.#entries.get(key);
      if (!e?.built) continue;
      const references = oneBindMountPerPath(e.candidate.references);
      const kept = keptMembers(this.#membersOf.get(key) ?? [], references, (p) => this.#hasRole(p));
      const listed = new Set(kept.map((p) => p.pid));
      const same = listed.size === e.listed.size && [...listed].every((pid) => e.listed.has(pid));
      if (same && !selected.has(key)) continue;
      changed ||= !same;
      e.listed = listed;
      let ns = e.built;
      if (!selected.has(key) && !affected.has(key)) {
        // Published: a copy takes its place.
        ns = { ...ns };
        this.#replaceInOrder(e.built, ns);
        e.built = ns;
        scope.namespaces.set(key, ns);
        scope.unread.add(key);
      }
      ns.processes = kept.map((p) => p.key);
      ns.references = references.filter((r) => r.kind !== "process" || listed.has(r.pid));
    }
    if (!changed && this.#listedProcesses.length > 0) return;
    const listed = this.#processes.filter((p) => {
      const e = p.netns === null ? undefined : this.#entries.get(p.netns);
      return e?.built ? e.listed.has(p.pid) : this.#hasRole(p);
    });
    if (listed.length !== this.#listedProcesses.length || listed.some((p, i) => p !== this.#listedProcesses[i])) scope.lists.add("processes");
    this.#listedProcesses = listed;
  }

  /**
   * Of the new forwarded ports, those whose destination a build serving kernel events must
   * resolve again: new ones, and those whose namespace or destination is in the scope or whose
   * destination address a namespace in the scope now holds. The others keep what they had.
   */
  #touchedPorts(previous: ForwardedPort[], scope: BuildScope): ForwardedPort[] {
    const before = new Map(previous.map((p) => [p.key, p]));
    const held = new Set<string>();
    for (const ns of scope.namespaces.values()) for (const i of ns?.interfaces ?? []) for (const a of i.addresses) held.add(a.address);
    return this.#forwardedPorts.filter((p) => {
      const old = before.get(p.key);
      const touched =
        !old ||
        scope.namespaces.has(p.netns) ||
        (old.destinationNetns !== null && scope.namespaces.has(old.destinationNetns)) ||
        (p.destinationAddress !== null && held.has(p.destinationAddress));
      if (!touched) [p.destinationNetns, p.destinationInterface, p.listeners] = [old.destinationNetns, old.destinationInterface, old.listeners];
      return touched;
    });
  }

  /** Forwarded ports: nf_tables rules of the namespaces that have some, then docker-proxy processes. */
  #findForwardedPorts(): void {
    const entries = [...this.#forwarding].map((k) => this.#entries.get(k)!).filter((e) => e.built);
    entries.sort((a, b) => compareNamespaces(a.built!, b.built!));
    this.#forwardedPorts = mergeForwardings([...entries.flatMap((e) => e.forwardings), ...this.#proxyForwardings]);
  }

  /**
   * kube-proxy's services: fresh copies of those the namespaces' rules hold (the published ones
   * stay as they were), each naming the forwarded ports that carry it.
   */
  #findServices(): void {
    const byService = new Map<string, string[]>();
    for (const p of this.#forwardedPorts) if (p.service) byService.set(p.service.key, [...(byService.get(p.service.key) ?? []), p.key]);
    this.#services = [...this.#forwarding].flatMap((k) =>
      (this.#entries.get(k)?.services ?? []).map((s) => ({ ...s, endpoints: s.endpoints.map((x) => ({ ...x })), forwardedPorts: byService.get(s.key) ?? [] })),
    );
  }
}

/** A link with only what relations and NSID resolution read of it. */
function slimLink(l: RtLink): RtLink {
  const slim: RtLink = { family: l.family, type: l.type, index: l.index, flags: 0, change: 0 };
  if (l.ifname !== undefined) slim.ifname = l.ifname;
  if (l.address !== undefined) slim.address = l.address;
  if (l.kind !== undefined) slim.kind = l.kind;
  if (l.link !== undefined) slim.link = l.link;
  if (l.linkNetnsid !== undefined) slim.linkNetnsid = l.linkNetnsid;
  if (l.master !== undefined) slim.master = l.master;
  // A tunnel's data names its underlay device or holds the remote whose route is its underlay.
  const kind = moduleOfLink(l);
  if (l.data && (kind?.underlay || kind?.remote)) slim.data = l.data;
  return slim;
}

export function candidateId(c: { dev: number; inode: number }): string {
  return `${c.dev}:${c.inode}`;
}

