/**
 * Runs a task now and then every `intervalMs` while it is switched on — one
 * run at a time (the next one is timed from the end of the previous one), and
 * a refresh on demand that does not stack up behind a run in flight.
 */
export class Poller {
  private readonly task: () => Promise<void>;
  private readonly intervalMs: number;
  private running = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight: Promise<void> | null = null;
  private again = false;

  constructor(task: () => Promise<void>, intervalMs: number) {
    this.task = task;
    this.intervalMs = intervalMs;
  }

  get active(): boolean {
    return this.running;
  }

  /** Switch on (runs at once) or off (cancels the next run; a run in flight finishes). */
  setActive(on: boolean): void {
    if (on === this.running) return;
    this.running = on;
    if (on) void this.refresh();
    else {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  /** Run now (or right after the run in flight); resolves when that run is over. */
  refresh(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    this.inFlight = this.run();
    return this.inFlight;
  }

  private async run(): Promise<void> {
    try {
      do {
        this.again = false;
        try {
          await this.task();
        } catch {
          // the task reports its own errors; keep polling
        }
      } while (this.again);
    } finally {
      this.inFlight = null;
      if (this.running) this.timer = setTimeout(() => void this.refresh(), this.intervalMs);
    }
  }
}
