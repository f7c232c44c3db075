/**
 * Keeps floods out of the audit log: an event of a kind that a flood repeats
 * (a refused token or join, a rate-limit cut-off) is written once per (kind,
 * address, player) per window; the repeats inside the window are counted, and
 * when the window ends one more row carries their number (`count`). So a
 * client hammering the API for a minute costs two rows, not thousands, and
 * the sum of `count` over the rows is still every occurrence.
 *
 * Logins are throttled the same way over a longer window and without the
 * closing row: "this player started a session on this node" once an hour is
 * the fact worth keeping, not each page load.
 *
 * Memory is bounded: past `maxKeys` open windows, new subjects of a flood
 * kind share one window per kind (key `<kind>|*`), so a flood from
 * ever-changing addresses cannot grow the table of windows either; logins
 * past it are written unthrottled.
 */
import { type AuditEventInput, type AuditKind, THROTTLED_KINDS } from "./kinds.ts";

export interface ThrottleWindows {
  /** Window of the flood kinds (THROTTLED_KINDS), ms. */
  floodMs: number;
  /** Window of `login` (once per player per node per window), ms. */
  loginMs: number;
  /** Most open windows at once (default 10,000). */
  maxKeys?: number;
}

interface Window {
  /** The first event of the window (written at once): its subject and detail head the closing row. */
  first: AuditEventInput;
  endsAt: number;
  /** Occurrences after the first one. */
  repeats: number;
  /** Write a closing row with the repeats when the window ends (flood kinds), or not (login). */
  summarize: boolean;
}

/** The per-window dedup of the audit log's flood kinds and logins. Not thread-safe; one per audit log. */
export class AuditThrottle {
  private readonly windows = new Map<string, Window>();
  private readonly opts: Required<ThrottleWindows>;

  constructor(opts: ThrottleWindows) {
    this.opts = { maxKeys: 10_000, ...opts };
  }

  /** Open windows (for tests and the sweep's timer: none open, nothing to sweep). */
  get open(): number {
    return this.windows.size;
  }

  /**
   * What to write for `event` seen at `now` (epoch ms): the event itself (with
   * `count: 1` for flood kinds) when it opens a window or is not throttled,
   * or undefined when it is a repeat inside an open window (counted).
   */
  admit(event: AuditEventInput, now: number): AuditEventInput | undefined {
    const summarize = THROTTLED_KINDS.has(event.kind);
    // A password login is news each time; the start-up "login" (GET /api/me) only once per window.
    const passwordLogin = event.kind === "login" && (event.detail as { method?: string }).method !== undefined;
    const windowMs = summarize ? this.opts.floodMs : event.kind === "login" && !passwordLogin ? this.opts.loginMs : 0;
    if (windowMs <= 0) return event;
    let key = keyOf(event);
    let open = this.windows.get(key);
    if (!open && this.windows.size >= this.opts.maxKeys) {
      // Logins need a valid identity, so their number is the players', not an attacker's: write them all
      // rather than let one shared window hide every new player's login for an hour.
      if (!summarize) return event;
      key = `${event.kind}|*`;
      open = this.windows.get(key);
    }
    if (open && now < open.endsAt) {
      open.repeats++;
      return undefined;
    }
    // No window, or one that ended and was not swept yet: its repeats are written now, then a new window opens.
    const first = summarize ? withCount(event, 1) : event;
    this.windows.set(key, { first, endsAt: now + windowMs, repeats: 0, summarize });
    return first;
  }

  /** Close the windows ended by `now` (all of them with `all`): the closing rows of those that saw repeats. */
  sweep(now: number, all = false): AuditEventInput[] {
    const out: AuditEventInput[] = [];
    for (const [key, w] of this.windows) {
      if (!all && now < w.endsAt) continue;
      this.windows.delete(key);
      if (w.summarize && w.repeats > 0) out.push(withCount(w.first, w.repeats));
    }
    return out;
  }
}

/** The subject of a throttled event: its kind, address and player. */
function keyOf(e: AuditEventInput): string {
  return `${e.kind}|${e.ip ?? ""}|${e.playerId ?? ""}`;
}

function withCount(e: AuditEventInput, count: number): AuditEventInput {
  return { ...e, detail: { ...(e.detail as Record<string, unknown>), count } } as AuditEventInput<AuditKind>;
}
