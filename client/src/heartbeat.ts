/**
 * Telling a silent server from a quiet one (the protocol's `Heartbeat`): ping
 * every `intervalMs`; when nothing at all (a pong, a room message) has come
 * in for `timeoutMs`, the server counts as gone. A stalled node keeps its
 * TCP connections open, so without this its players would wait for it to
 * wake; the server ties `timeoutMs` to its ownership lease, so a client gives
 * up on a stalled node about when another node may take its games over.
 * Timers only: no DOM, no socket (the session passes `ping` and `silent` in).
 */
import type { Heartbeat } from "@tabula/shared/protocol";

/**
 * Used until the first snapshot says otherwise: the server's values for its
 * default 1 s node heartbeat (ping every 1/3 s, gone after 1 s of silence).
 */
export const DEFAULT_HEARTBEAT: Heartbeat = { intervalMs: 333, timeoutMs: 1000 };

export interface SilenceWatchOptions {
  /** Send one ping (its answer must reach `heard()`). */
  ping(): void;
  /** Called once when nothing was heard for `timeoutMs`; the watch is stopped then. */
  silent(silentForMs: number): void;
  /** Clock, epoch ms (tests pass a fake one). Default Date.now. */
  now?: () => number;
}

export class SilenceWatch {
  private readonly opts: SilenceWatchOptions;
  private readonly now: () => number;
  private heartbeat: Heartbeat = DEFAULT_HEARTBEAT;
  private lastHeard = 0;
  /** The deadline passed once and is being checked again (see armDeadline). */
  private confirming = false;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private deadlineTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(opts: SilenceWatchOptions) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
  }

  get running(): boolean {
    return this.pingTimer !== undefined;
  }

  get settings(): Heartbeat {
    return this.heartbeat;
  }

  /** Start (or restart) watching: counts as having just heard from the server, and pings at once. */
  start(heartbeat: Heartbeat = this.heartbeat): void {
    this.stop();
    this.heartbeat = sane(heartbeat);
    this.lastHeard = this.now();
    this.confirming = false;
    this.pingTimer = setInterval(() => this.opts.ping(), this.heartbeat.intervalMs);
    this.armDeadline(this.heartbeat.timeoutMs);
    this.opts.ping();
  }

  /** New settings (a snapshot carries them); restarts the timers only when they changed. */
  configure(heartbeat: Heartbeat): void {
    const next = sane(heartbeat);
    if (next.intervalMs === this.heartbeat.intervalMs && next.timeoutMs === this.heartbeat.timeoutMs) return;
    if (this.running) this.start(next);
    else this.heartbeat = next;
  }

  /** Something came in from the server (a pong or any message). */
  heard(): void {
    this.lastHeard = this.now();
    this.confirming = false;
  }

  stop(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.deadlineTimer);
    this.pingTimer = undefined;
    this.deadlineTimer = undefined;
  }

  /**
   * One timer for the deadline, re-armed lazily: when it fires early (something
   * was heard meanwhile), it waits for the rest of the new deadline. Cheaper
   * than resetting a timer on every message, and exact to the millisecond.
   *
   * When the deadline passes, the silence is confirmed before it is
   * concluded: one more ping, and a second look half an interval later. On a
   * page that did not run for a while (a busy main thread, an overloaded
   * machine), the pongs that arrived meanwhile are queued ahead of that second
   * look and are read first, so a late timer alone never gives a server up.
   */
  private armDeadline(inMs: number): void {
    this.deadlineTimer = setTimeout(() => {
      const quiet = this.now() - this.lastHeard;
      if (quiet < this.heartbeat.timeoutMs) {
        this.armDeadline(this.heartbeat.timeoutMs - quiet);
      } else if (!this.confirming) {
        this.confirming = true;
        this.opts.ping();
        this.armDeadline(Math.ceil(this.heartbeat.intervalMs / 2));
      } else {
        this.stop();
        this.opts.silent(quiet);
      }
    }, inMs);
  }
}

/** Guards against a nonsensical heartbeat from the wire: positive numbers, a timeout of at least one interval. */
function sane(h: Heartbeat): Heartbeat {
  const ok = (n: unknown): n is number => typeof n === "number" && Number.isFinite(n) && n > 0;
  const intervalMs = ok(h?.intervalMs) ? h.intervalMs : DEFAULT_HEARTBEAT.intervalMs;
  const timeoutMs = ok(h?.timeoutMs) ? Math.max(h.timeoutMs, intervalMs) : Math.max(DEFAULT_HEARTBEAT.timeoutMs, intervalMs);
  return { intervalMs, timeoutMs };
}
