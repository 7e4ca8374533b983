// The timeline: the recorded revisions (history), a slider to pick a moment, and a second one to
// compare two moments. At the right end of the slider and with "Live" pressed the map follows
// the host as it changes; anywhere else it shows that moment (`at:`), or the diff between the
// two moments when "compare" is ticked. The sliders' values are revision numbers.

import { esc } from "./html.ts";

export interface Snapshot {
  revision: number;
  time: string;
  added: number;
  removed: number;
  changed: number;
}

export type Moment = { kind: "live" } | { kind: "at"; revision: number } | { kind: "diff"; from: number; to: number };

export class Timeline {
  readonly #at: HTMLInputElement;
  readonly #from: HTMLInputElement;
  readonly #compare: HTMLInputElement;
  readonly #live: HTMLButtonElement;
  readonly #label: HTMLElement;
  readonly #ticks: HTMLElement;
  /** Oldest first. */
  #snapshots: Snapshot[] = [];
  #following = true;

  constructor(
    root: HTMLElement,
    readonly onMoment: (m: Moment) => void,
  ) {
    this.#at = root.querySelector("#timeline-at")!;
    this.#from = root.querySelector("#timeline-from")!;
    this.#compare = root.querySelector("#timeline-compare")!;
    this.#live = root.querySelector("#timeline-live")!;
    this.#label = root.querySelector("#timeline-label")!;
    this.#ticks = root.querySelector("#timeline-ticks")!;
    const moved = () => {
      this.#snap(this.#at);
      this.#snap(this.#from);
      this.#following = !this.#compare.checked && Number(this.#at.value) === this.latest;
      this.#emit();
    };
    this.#at.addEventListener("change", moved);
    this.#from.addEventListener("change", moved);
    this.#at.addEventListener("input", () => this.#describe());
    this.#from.addEventListener("input", () => this.#describe());
    this.#compare.addEventListener("change", () => {
      this.#from.hidden = !this.#compare.checked;
      if (this.#compare.checked) this.#from.value = String(this.#before(Number(this.#at.value)));
      moved();
    });
    this.#live.addEventListener("click", () => {
      this.#compare.checked = false;
      this.#from.hidden = true;
      this.#at.value = String(this.latest);
      this.#following = true;
      this.#emit();
    });
  }

  get latest(): number {
    return this.#snapshots.at(-1)?.revision ?? 0;
  }

  get moment(): Moment {
    if (this.#following) return { kind: "live" };
    const at = Number(this.#at.value);
    return this.#compare.checked ? { kind: "diff", from: Number(this.#from.value), to: at } : { kind: "at", revision: at };
  }

  /** Newest first, as `history` answers. */
  set(newestFirst: Snapshot[]): void {
    this.#snapshots = [...newestFirst].reverse();
    this.#range();
    if (this.#following) this.#at.value = String(this.latest);
    this.#describe();
  }

  /** A revision recorded now (from the live subscription). */
  append(s: Snapshot): void {
    if (s.revision <= this.latest) return;
    this.#snapshots.push(s);
    this.#range();
    if (this.#following) this.#at.value = String(this.latest);
    this.#describe();
  }

  #range(): void {
    const first = this.#snapshots[0]?.revision ?? 0;
    for (const input of [this.#at, this.#from]) {
      input.min = String(first);
      input.max = String(this.latest);
      input.disabled = this.#snapshots.length < 2;
    }
    const total = Math.max(1, this.latest - first);
    const most = Math.max(1, ...this.#snapshots.map((s) => s.added + s.removed + s.changed));
    this.#ticks.innerHTML = this.#snapshots
      .map((s) => `<i style="left:${(((s.revision - first) / total) * 100).toFixed(2)}%;height:${(4 + (16 * (s.added + s.removed + s.changed)) / most).toFixed(1)}px" title="revision ${s.revision}"></i>`)
      .join("");
  }

  /** Puts a slider on the nearest recorded revision. */
  #snap(input: HTMLInputElement): void {
    const want = Number(input.value);
    let best = this.#snapshots[0]?.revision ?? want;
    for (const s of this.#snapshots) if (Math.abs(s.revision - want) < Math.abs(best - want)) best = s.revision;
    input.value = String(best);
  }

  #before(revision: number): number {
    const earlier = this.#snapshots.filter((s) => s.revision < revision);
    return earlier.at(-1)?.revision ?? revision;
  }

  #describe(): void {
    const show = (r: number) => {
      const s = this.#snapshots.find((x) => x.revision === r);
      return s ? `revision ${r} · ${new Date(s.time).toLocaleString()} <span class="counts">+${s.added} −${s.removed} ~${s.changed}</span>` : `revision ${r}`;
    };
    const m = this.moment;
    this.#live.classList.toggle("on", m.kind === "live");
    this.#label.innerHTML =
      m.kind === "live" ? `live · ${show(this.latest)}` : m.kind === "at" ? `as at ${show(m.revision)}` : `changes from ${esc(m.from)} to ${show(m.to)}`;
  }

  #emit(): void {
    this.#describe();
    this.onMoment(this.moment);
  }
}
