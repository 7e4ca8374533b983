// Preload for `bun test --preload`: every Date the tests and the code under test see runs a year
// ahead of the real clock (still ticking: bun's setSystemTime would freeze it, and then two
// discoveries in a row would share a time). A test that silently depends on the day it runs
// fails under it today. test/suite/clock-ahead.test.ts runs the time-sensitive tests this way.

const AHEAD_MS = Number(process.env.WIRESIGHT_TEST_CLOCK_AHEAD_MS ?? 365 * 24 * 3600 * 1000);
const RealDate = Date;

class AheadDate extends RealDate {
  constructor(...args: unknown[]) {
    if (args.length === 0) super(RealDate.now() + AHEAD_MS);
    else super(...(args as [string | number | Date]));
  }
  static override now(): number {
    return RealDate.now() + AHEAD_MS;
  }
}

globalThis.Date = AheadDate as DateConstructor;
