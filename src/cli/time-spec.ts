// How users name moments and durations on the command line: a revision (`12`), a time
// (`2026-11-22T10:00`, local unless it says Z or an offset), a time relative to now (`-1h`,
// `-30m`, `-2d`) or `now`; durations like `10s`, `5m`, `30d`. Pure, so it is unit-tested.

import type { Moment } from "../store/index.ts";
import { UsageError } from "./usage-error.ts";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `10s`, `1.5h`, `30d` → milliseconds. */
export function parseDuration(text: string, what = "a duration"): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(text.trim());
  if (!m) throw new UsageError(`${what} looks like 10s, 5m, 2h, 30d or 1w, not '${text}'`);
  const ms = Number(m[1]) * UNIT_MS[m[2]!]!;
  if (!(ms > 0)) throw new UsageError(`${what} must be more than zero, not '${text}'`);
  return ms;
}

/** A revision number, an ISO time, `-<duration>` before now, or `now`. */
export function parseMoment(text: string, now: number = Date.now()): Moment {
  const s = text.trim();
  if (s === "now") return { time: now };
  if (/^\d+$/.test(s)) {
    const revision = Number(s);
    if (!Number.isSafeInteger(revision) || revision < 1) throw new UsageError(`revision numbers start at 1, not '${text}'`);
    return { revision };
  }
  if (s.startsWith("-")) return { time: now - parseDuration(s.slice(1), `a relative time ('${text}')`) };
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  if (!iso) throw new UsageError(`'${text}' is not a moment: use a revision (12), a time (2026-11-22T10:00), a relative time (-1h) or now`);
  const [, y, mo, d, h = "00", mi = "00", sec = "00", frac = "", zone] = iso;
  const local = `${y}-${mo}-${d}T${h}:${mi}:${sec}${frac || ".000"}`;
  const zoned = zone === undefined ? local : `${local}${zone === "Z" ? "Z" : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`;
  const time = new Date(zoned).getTime();
  // Date accepts 2026-02-31 (rolls over) on some engines and not others: check the fields survived.
  const check = new Date(time);
  if (Number.isNaN(time) || (zone === undefined && (check.getMonth() + 1 !== Number(mo) || check.getDate() !== Number(d) || check.getHours() !== Number(h))))
    throw new UsageError(`'${text}' is not a valid date and time`);
  return { time };
}

/** How a moment reads in messages. */
export function describeMoment(m: Moment): string {
  return "revision" in m ? `revision ${m.revision}` : new Date(m.time).toISOString();
}
