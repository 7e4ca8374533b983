// The map at `/` of `wiresight serve`: the wiring of every namespace, live, or at a past moment,
// or the changes between two moments. It talks to the server by GraphQL only (data/); the
// topology becomes the wiring that `dump --format dot|mermaid` exports too (model/wiring.ts),
// ELK lays it out in a worker (layout/), and it is drawn as SVG (render/). What is drawn carries
// its keys in data attributes; `document.body.dataset` says what the page is doing (state,
// moment, revision, link), which is what scripts and the tests wait for.

import { INTERFACE_KINDS } from "../model/interface-kinds.ts";
import { wiringOf, type Wiring } from "../model/wiring.ts";
import { GraphqlError, query, Subscriptions, Unauthorized, type LinkState } from "./data/client.ts";
import { MAP_ALERT_EVENTS, MAP_ALERTS, MAP_DIFF, MAP_HISTORY, MAP_REVISIONS, MAP_TOPOLOGY, WHERE_IS } from "./data/queries.ts";
import { saveToken, savedToken } from "./data/token.ts";
import { nodeIds, toWiringTopology, type TopologyAnswer } from "./data/to-wiring.ts";
import { diffWiring, elementOf, type EntityChange, type Mark } from "./graph/diff.ts";
import { visibleWiring } from "./graph/filter.ts";
import { isIpAddress, matching } from "./graph/search.ts";
import { elkGraph, externalWires, placement, type Placement } from "./layout/elk-graph.ts";
import { anchorY, measureGroup, type GroupBox } from "./layout/geometry.ts";
import { layOut } from "./layout/layout.ts";
import { alertElement, alertsHtml, type AlertItem } from "./panels/alerts.ts";
import { downloadCapture } from "./panels/capture.ts";
import { changesHtml } from "./panels/changes.ts";
import { interfaceDetails, namespaceDetails, rowDetails } from "./panels/details.ts";
import { esc } from "./panels/html.ts";
import { Timeline, type Moment, type Snapshot } from "./panels/timeline.ts";
import { pathElements, whereIsHtml } from "./panels/whereis.ts";
import { sceneMarkup } from "./render/svg.ts";
import { Viewport } from "./render/viewport.ts";

/** The filter's choices: every interface kind the model registers, then the map's own rows. */
const KINDS = [...INTERFACE_KINDS, "process", "forward"];
const KIND_LABELS: Record<string, string> = { tuntap: "tun/tap", process: "tun users", forward: "forwards" };
const FLASH_MS = 2500;
const HISTORY_LENGTH = 1000;
const MAX_DIFF_PAGES = 10;

const $ = <T extends Element>(sel: string) => document.querySelector<T>(sel)!;

interface Drawn {
  wiring: Wiring;
  ids: Map<string, string>;
  boxes: Map<string, GroupBox>;
  groupOf: Map<string, string>;
  place: Placement;
  signature: string;
}

class MapPage {
  readonly svg = $<SVGSVGElement>("#canvas");
  readonly layer = $<SVGGElement>("#layer");
  readonly viewport = new Viewport(this.svg, this.layer);
  readonly side = $<HTMLElement>("#details");
  readonly alertsPanel = $<HTMLElement>("#alerts");
  readonly search = $<HTMLInputElement>("#search");
  readonly banner = $<HTMLElement>("#banner");
  readonly subs = new Subscriptions();
  readonly timeline = new Timeline($("#timeline"), (m) => void this.show(m));
  readonly hidden = new Set<string>();

  /** The full wiring shown (before the kind filter) and its marks. */
  full: { wiring: Wiring; marks: Map<string, Mark>; ids: Map<string, string>; at: number | null } | null = null;
  drawn: Drawn | null = null;
  elements = new Map<string, Element[]>();
  highlights = new Map<string, Set<string>>();
  generation = 0;
  liveRevision: number | null = null;
  refreshing: Promise<void> | null = null;
  refreshAgain = false;
  /** Keys to flash once a drawing of their revision (or a later one) is on screen: key → revision. */
  pendingFlash = new Map<string, number>();
  alerts: AlertItem[] = [];
  selected: string | null = null;
  firstRender = true;

  start(): void {
    this.kindFilter();
    this.svg.addEventListener("click", (e) => this.clicked(e));
    $("#fit").addEventListener("click", () => this.fit());
    this.search.addEventListener("input", () => this.searched());
    this.search.addEventListener("keydown", (e) => {
      if (e.key === "Enter") void this.searchEnter();
    });
    this.side.addEventListener("click", (e) => this.panelClicked(e));
    this.alertsPanel.addEventListener("click", (e) => {
      const li = (e.target as Element).closest<HTMLElement>("[data-subject]");
      if (li) this.focusKey(alertElement(li.dataset.subject!, (k) => this.elements.has(k)));
    });
    $("#token-form").addEventListener("submit", (e) => {
      e.preventDefault();
      saveToken($<HTMLInputElement>("#token-input").value.trim());
      $<HTMLDialogElement>("#token-dialog").close();
      this.subs.restart();
      void this.boot();
    });
    this.subs.onState((s) => this.linkState(s));
    void this.boot();
  }

  state(s: "loading" | "ready" | "error", message = ""): void {
    document.body.dataset.state = s;
    $("#status").textContent = message;
  }

  /** First load (again after a token is given): history, alerts, the live map, then the subscriptions. */
  async boot(): Promise<void> {
    try {
      const h = await query<{ revision: number; history: { nodes: Snapshot[] } }>(MAP_HISTORY, { first: HISTORY_LENGTH });
      this.timeline.set(h.history.nodes);
      await this.show(this.timeline.moment);
      void this.loadAlerts();
      this.subscribe();
    } catch (e) {
      this.failed(e);
    }
  }

  failed(e: unknown): void {
    if (e instanceof Unauthorized) {
      $<HTMLInputElement>("#token-input").value = savedToken() ?? "";
      const dialog = $<HTMLDialogElement>("#token-dialog");
      if (!dialog.open) dialog.showModal();
      this.state("error", "this server wants a token");
      return;
    }
    const message = e instanceof GraphqlError ? `${e.message}${e.code ? ` (${e.code})` : ""}` : e instanceof Error ? e.message : String(e);
    this.state("error", message);
    this.showBanner(`Could not load the map: ${message}`, "error");
  }

  #subscribed = false;
  subscribe(): void {
    if (this.#subscribed) return;
    this.#subscribed = true;
    this.subs.resumable<{ revisions: { revision: number; time: string; changes: EntityChange[] } }>(MAP_REVISIONS, {
      initial: this.liveRevision,
      variables: (since) => ({ since }),
      cursorOf: (e) => e.revisions.revision,
      next: (e) => this.revision(e.revisions),
    });
    this.subs.resumable<{ alerts: { sequence: number } }>(MAP_ALERT_EVENTS, {
      initial: null,
      variables: (since) => ({ since }),
      cursorOf: (e) => e.alerts.sequence,
      next: () => void this.loadAlerts(),
    });
  }

  linkState(s: LinkState): void {
    document.body.dataset.link = s.kind;
    if (s.kind === "connected") this.hideBanner();
    else if (s.kind === "unauthorized") this.failed(new Unauthorized("token"));
    else this.showBanner(`Live updates interrupted (${s.reason}). Reconnecting in ${Math.round(s.retryInMs / 100) / 10} s; the map then catches up from revision ${this.liveRevision ?? "?"}.`, "warn");
  }

  showBanner(text: string, kind: "warn" | "error"): void {
    this.banner.textContent = text;
    this.banner.className = kind;
    this.banner.hidden = false;
  }

  hideBanner(): void {
    this.banner.hidden = true;
  }

  /** A revision from the subscription: on the timeline, and on the map when it follows the host. */
  revision(r: { revision: number; time: string; changes: EntityChange[] }): void {
    const count = (op: string) => r.changes.filter((c) => c.op === op).length;
    this.timeline.append({ revision: r.revision, time: r.time, added: count("ADDED"), removed: count("REMOVED"), changed: count("CHANGED") });
    if (this.timeline.moment.kind !== "live") return;
    const drawn = new Set(this.drawn?.groupOf.keys());
    for (const c of r.changes) {
      const e = elementOf(c, drawn);
      if (e !== null) this.pendingFlash.set(e, r.revision);
      if (c.kind === "INTERFACE" || c.kind === "NAMESPACE") this.pendingFlash.set(c.key, r.revision);
    }
    void this.refresh();
  }

  /** Redraws the live map; a revision arriving meanwhile triggers one more redraw after it. */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.refreshAgain = false;
        await this.show({ kind: "live" });
      } while (this.refreshAgain && this.timeline.moment.kind === "live");
    })().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  async show(m: Moment): Promise<void> {
    const gen = ++this.generation;
    document.body.dataset.mode = m.kind;
    // A live redraw says nothing: the map on screen stays until the new one replaces it.
    this.state("loading", m.kind === "diff" ? `comparing revisions ${m.from} and ${m.to}…` : m.kind === "at" ? `loading revision ${m.revision}…` : this.drawn ? "" : "loading…");
    try {
      let full: NonNullable<MapPage["full"]>;
      let changesPanel: string | null = null;
      if (m.kind === "diff") {
        const [a, b, d] = await Promise.all([this.topology(m.from), this.topology(m.to), this.diff(m.from, m.to)]);
        const { wiring, marks } = diffWiring(wiringOf(toWiringTopology(a)), wiringOf(toWiringTopology(b)), d.changes);
        full = { wiring, marks, ids: new Map([...nodeIds(a), ...nodeIds(b)]), at: m.to };
        changesPanel = changesHtml(d.changes, d.total, m.from, m.to);
        document.body.dataset.from = String(m.from);
        document.body.dataset.revision = String(m.to);
      } else {
        const answer = await this.topology(m.kind === "at" ? m.revision : null);
        full = { wiring: wiringOf(toWiringTopology(answer)), marks: new Map(), ids: nodeIds(answer), at: m.kind === "at" ? m.revision : null };
        if (m.kind === "live") this.liveRevision = answer.topology.revision;
        document.body.dataset.revision = String(answer.topology.revision ?? "");
        delete document.body.dataset.from;
      }
      if (gen !== this.generation) return;
      this.full = full;
      await this.render(gen);
      if (gen !== this.generation) return;
      if (changesPanel !== null) this.side.innerHTML = changesPanel;
      if (m.kind === "live" && this.pendingFlash.size > 0) this.flash(Number(document.body.dataset.revision));
      this.state("ready");
    } catch (e) {
      if (gen === this.generation) this.failed(e);
    }
  }

  topology(at: number | null): Promise<TopologyAnswer> {
    return query<TopologyAnswer>(MAP_TOPOLOGY, { at });
  }

  async diff(from: number, to: number): Promise<{ changes: EntityChange[]; total: number }> {
    const changes: EntityChange[] = [];
    let after: string | null = null;
    let total = 0;
    for (let page = 0; page < MAX_DIFF_PAGES; page++) {
      const d: { diff: { entities: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: EntityChange[] } } } = await query(MAP_DIFF, { from, to, after });
      changes.push(...d.diff.entities.nodes);
      total = d.diff.entities.totalCount;
      if (!d.diff.entities.pageInfo.hasNextPage) break;
      after = d.diff.entities.pageInfo.endCursor;
    }
    return { changes, total };
  }

  /** Lays out (unless only labels and states changed) and draws the current wiring. */
  async render(gen: number): Promise<void> {
    const started = performance.now();
    const w = visibleWiring(this.full!.wiring, this.hidden);
    const boxes = new Map(w.groups.map((g) => [g.key, measureGroup(g)]));
    const groupOf = new Map<string, string>();
    for (const g of w.groups) {
      groupOf.set(g.key, g.key);
      for (const r of g.rows) groupOf.set(r.key, g.key);
    }
    const routed = externalWires(w.wires, boxes, groupOf);
    const signature = [
      ...[...boxes.values()].map((b) => `${b.group.key}:${b.width}x${b.height}`),
      ...routed.map((x) => `${x.key}@${anchorY(boxes.get(groupOf.get(x.from)!)!.byKey.get(x.from)!)}>${anchorY(boxes.get(groupOf.get(x.to)!)!.byKey.get(x.to)!)}`),
    ].join("\n");
    let place: Placement;
    if (this.drawn?.signature === signature) place = this.drawn.place;
    else {
      const laid = await layOut(elkGraph(boxes, routed, groupOf));
      if (gen !== this.generation) return;
      place = placement(laid);
    }
    this.layer.innerHTML = sceneMarkup({ boxes, place, wires: w.wires, groupOf, marks: this.full!.marks });
    this.drawn = { wiring: w, ids: this.full!.ids, boxes, groupOf, place, signature };
    this.index();
    document.body.dataset.groups = String(boxes.size);
    document.body.dataset.wires = String(w.wires.length);
    document.body.dataset.renderMs = String(Math.round(performance.now() - started));
    for (const [cls, keys] of this.highlights) this.mark(cls, keys);
    this.alertMarks();
    if (this.search.value.trim() !== "") this.searched();
    if (this.firstRender) {
      this.firstRender = false;
      this.fit();
      performance.mark("wiresight:first-render");
    }
  }

  index(): void {
    this.elements = new Map();
    for (const el of this.layer.querySelectorAll<SVGElement>("[data-group],[data-row],[data-key]")) {
      const key = el.dataset.group ?? el.dataset.row ?? el.dataset.key!;
      const list = this.elements.get(key);
      if (list) list.push(el);
      else this.elements.set(key, [el]);
    }
  }

  /** Gives exactly `keys` the class `cls` (kept across redraws until changed). */
  mark(cls: string, keys: Set<string>): void {
    const before = this.highlights.get(cls);
    if (before) for (const k of before) for (const el of this.elements.get(k) ?? []) el.classList.remove(cls);
    this.highlights.set(cls, keys);
    for (const k of keys) for (const el of this.elements.get(k) ?? []) el.classList.add(cls);
  }

  flash(drawnRevision: number): void {
    // A drawing older than a change (its query ran before the revision arrived) keeps the flash for the next one.
    const keys = new Set<string>();
    for (const [k, revision] of this.pendingFlash) {
      if (revision > drawnRevision) continue;
      this.pendingFlash.delete(k);
      if (this.elements.has(k)) keys.add(k);
    }
    if (keys.size === 0) return;
    this.mark("flash", keys);
    setTimeout(() => {
      if (this.highlights.get("flash") === keys) this.mark("flash", new Set());
    }, FLASH_MS);
  }

  fit(): void {
    if (this.drawn) this.viewport.fit(this.drawn.place.width, this.drawn.place.height);
  }

  focusKey(key: string | null): void {
    if (key === null || !this.drawn) return;
    const g = this.drawn.groupOf.get(key) ?? key;
    const at = this.drawn.place.groups.get(g);
    const box = this.drawn.boxes.get(g);
    if (!at || !box) return;
    const row = box.byKey.get(key);
    this.viewport.focus(at.x, at.y + (row?.y ?? 0), box.width, row?.height ?? box.height);
    this.select(key);
  }

  kindFilter(): void {
    $("#kinds").innerHTML = KINDS.map((k) => `<label><input type="checkbox" value="${k}" checked> ${esc(KIND_LABELS[k] ?? k)}</label>`).join("");
    $("#kinds").addEventListener("change", (e) => {
      const box = e.target as HTMLInputElement;
      if (box.checked) this.hidden.delete(box.value);
      else this.hidden.add(box.value);
      if (this.full) void this.render(this.generation);
    });
  }

  searched(): void {
    const text = this.search.value;
    const w = this.drawn?.wiring;
    const hits = w ? matching(w, text) : new Set<string>();
    const groups = new Set<string>();
    for (const k of hits) groups.add(this.drawn!.groupOf.get(k) ?? k);
    this.mark("match", hits);
    this.mark("has-match", groups);
    document.body.classList.toggle("searching", text.trim() !== "");
    $("#search-status").textContent = text.trim() === "" ? "" : isIpAddress(text) ? `${hits.size} match · Enter: where is ${text.trim()}?` : `${hits.size} match${hits.size === 1 ? "" : "es"}`;
  }

  #cursor = -1;
  async searchEnter(): Promise<void> {
    const text = this.search.value.trim();
    if (isIpAddress(text)) return this.whereIs(text);
    const hits = [...(this.highlights.get("match") ?? [])];
    if (hits.length === 0) return;
    this.#cursor = (this.#cursor + 1) % hits.length;
    this.focusKey(hits[this.#cursor]!);
  }

  async whereIs(ip: string): Promise<void> {
    const from = this.selected ? (this.drawn?.groupOf.get(this.selected) ?? this.selected) : "initial";
    const fromName = from === "initial" ? "the host" : (this.drawn?.boxes.get(from)?.group.name ?? from);
    try {
      const { whereIs } = await query<{ whereIs: unknown }>(WHERE_IS, { ip, from, at: this.full?.at ?? null });
      this.side.innerHTML = whereIsHtml(whereIs, fromName);
      this.mark("path", pathElements(whereIs, this.drawn!.wiring));
    } catch (e) {
      this.side.innerHTML = `<p class="error">${esc(e instanceof Error ? e.message : e)}</p>`;
    }
  }

  clicked(e: MouseEvent): void {
    if (this.viewport.dragged) return;
    const el = (e.target as Element).closest<SVGElement>("[data-row],[data-group]");
    if (!el) return;
    void this.select(el.dataset.row ?? el.dataset.group!);
  }

  async select(key: string): Promise<void> {
    this.selected = key;
    this.mark("selected", new Set([key]));
    const d = this.drawn;
    if (!d || !this.full) return;
    const group = d.boxes.get(d.groupOf.get(key) ?? key);
    const row = group?.byKey.get(key)?.row;
    const id = this.full.ids.get(key);
    this.side.innerHTML = `<p class="empty">loading…</p>`;
    try {
      if (row && row.type !== "interface") this.side.innerHTML = rowDetails(row, group!.group.name);
      else if (!id) this.side.innerHTML = `<p class="empty">not there at this moment</p>`;
      else this.side.innerHTML = row ? await interfaceDetails(id, this.full.at) : await namespaceDetails(id, key, this.full.at);
      document.body.dataset.details = key;
    } catch (e) {
      this.side.innerHTML = `<p class="error">${esc(e instanceof Error ? e.message : e)}</p>`;
    }
  }

  panelClicked(e: MouseEvent): void {
    const button = (e.target as Element).closest<HTMLButtonElement>(".capture-download");
    if (!button) return;
    const status = button.parentElement!.querySelector<HTMLElement>(".capture-status")!;
    button.disabled = true;
    document.body.dataset.capture = "running";
    downloadCapture(button.dataset.url!, button.dataset.label!, (t) => (status.textContent = t))
      .then(() => (document.body.dataset.capture = "done"))
      .catch((err) => {
        status.textContent = err instanceof Error ? err.message : String(err);
        document.body.dataset.capture = "error";
      })
      .finally(() => (button.disabled = false));
  }

  async loadAlerts(): Promise<void> {
    try {
      const a = await query<{ alerts: { nodes: AlertItem[] } }>(MAP_ALERTS);
      this.alerts = a.alerts.nodes;
      this.alertsPanel.innerHTML = alertsHtml(this.alerts);
      $("#alert-count").textContent = this.alerts.length ? String(this.alerts.length) : "";
      this.alertMarks();
    } catch (e) {
      this.alertsPanel.innerHTML = `<p class="error">${esc(e instanceof Error ? e.message : e)}</p>`;
    }
  }

  alertMarks(): void {
    const keys = new Set<string>();
    for (const a of this.alerts)
      for (const k of [a.subjectKey, ...a.entityKeys]) {
        const el = alertElement(k, (x) => this.elements.has(x));
        if (el) keys.add(el);
      }
    this.mark("alerting", keys);
  }
}

new MapPage().start();
