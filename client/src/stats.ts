/**
 * The top bar's "N online · M live games": fetched at once (on load, and
 * whenever something that changes the counts happened: an identity, a game
 * joined or left, a connection back), then every 10 s; every 2 s while the
 * server cannot be reached, so "offline" does not outlive an outage. Timers
 * and a fetch function only; the text is made by `statsText`.
 */
import type { Stats } from "./api.ts";
import { t } from "./i18n/index.ts";

/** Refresh period while the server answers, ms. */
export const STATS_INTERVAL_MS = 10_000;
/** Refresh period while it does not ("offline"), ms. */
export const STATS_OFFLINE_RETRY_MS = 2_000;

export interface StatsTickerDeps {
  fetch(): Promise<Stats>;
  /** Show fresh counts, or null when the server could not be reached. */
  show(stats: Stats | null): void;
}

export class StatsTicker {
  private readonly deps: StatsTickerDeps;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight: Promise<void> | null = null;
  /** A refresh was asked for while one was in flight: its answer may predate the change, so fetch again. */
  private again = false;
  private stopped = false;

  constructor(deps: StatsTickerDeps) {
    this.deps = deps;
  }

  /** Fetch now (and then on the timer). Resolves once the counts shown are at least as new as this call. */
  refresh(): Promise<void> {
    this.stopped = false;
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    clearTimeout(this.timer);
    this.inFlight = this.run();
    return this.inFlight;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async run(): Promise<void> {
    let ok = false;
    do {
      this.again = false;
      let answer: Stats | null = null;
      try {
        answer = await this.deps.fetch();
        ok = true;
      } catch {
        ok = false;
      }
      // Superseded (something changed meanwhile, e.g. the connection came back): the next answer is shown, not
      // this one — a request that failed while offline must not overwrite fresh counts.
      if (!this.again) this.deps.show(answer);
    } while (this.again);
    this.inFlight = null;
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.refresh(), ok ? STATS_INTERVAL_MS : STATS_OFFLINE_RETRY_MS);
  }
}

/** "3 online · 1 live game", or "offline" (in the current language). */
export function statsText(stats: Stats | null): string {
  if (!stats) return t("common:offline");
  return t("common:stats", {
    online: t("common:online", { count: stats.playersOnline }),
    games: t("common:liveGames", { count: stats.gamesLive }),
  });
}
