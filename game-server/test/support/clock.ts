/** A clock for tests: time stands still until `advance`, so timers fire exactly when a test says. */
import type { HostClock, Timer } from "../../src/game/clock.ts";

export class ManualClock implements HostClock {
  /** Current time, epoch ms: set it to jump without running timers. */
  t: number;
  private timers: Array<{ at: number; fn: () => unknown; live: boolean }> = [];

  constructor(start = Date.now()) {
    this.t = start;
  }

  now = (): number => this.t;

  setTimeout(fn: () => unknown, ms: number): Timer {
    const timer = { at: this.t + ms, fn, live: true };
    this.timers.push(timer);
    return {
      clear: () => {
        timer.live = false;
      },
    };
  }

  /** Move time on by `ms`: due timers run in order, each at its own time, and the work each returns is awaited. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.live && x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      due.live = false;
      this.t = Math.max(this.t, due.at);
      await due.fn();
    }
    this.timers = this.timers.filter((x) => x.live);
    this.t = end;
  }
}
