/**
 * Runs a slice of the bots in this process — all of them with --procs 1, or
 * one worker's share — on a shared timeline (absolute epoch times, so every
 * worker stops together):
 *
 *   startAt ─ ramp-up ─ run phase ─ stopAt ─ grace (≤ GRACE_MS) ─ hard stop
 *
 * At stopAt bots stop queueing; games still going are resigned (seat 0 at
 * stopAt + 5 s, seat 1 a second later, or aborted before the bot's first
 * move); the slice ends as soon as every bot is done, at the latest at the
 * hard stop, where remaining sockets are closed.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { Seat } from "@tabula/shared/rules";
import { type BotsConfig, GRACE_MS, roleOf } from "./args.ts";
import { PlayerBot } from "./bot.ts";
import { Metrics, type ProgressDelta, type RawResults } from "./metrics.ts";
import { type BotContext, sleep } from "./rooms.ts";
import { SpectatorBot } from "./spectator.ts";

/** Into the grace period, seat 0 of a game still going resigns after this (seat 1 one second later). */
export const RESIGN_AFTER_MS = 5_000;

export interface SlicePlan {
  config: BotsConfig;
  runId: string;
  /** Global bot indices this process runs. */
  indices: number[];
  startAt: number;
  stopAt: number;
}

export interface SliceHandle {
  /** End the run phase now (the grace period follows). */
  stop(): void;
  /** Close everything now. */
  kill(): void;
  done: Promise<RawResults>;
}

export function botName(runId: string, index: number): string {
  return `bot-${runId}-${index}`;
}

/** Ramp-up: bots start spread over this long so the first requests do not all land at once. */
export function rampMs(config: BotsConfig): number {
  return Math.min(5_000, config.bots * 10, config.durationMs * 0.2);
}

export function runSlice(plan: SlicePlan, onProgress: (delta: ProgressDelta) => void): SliceHandle {
  const { config } = plan;
  const metrics = new Metrics();
  const stopCtl = new AbortController();
  const killCtl = new AbortController();
  let stopAt = plan.stopAt;
  let stopTimer: NodeJS.Timeout | undefined;
  let killTimer: NodeJS.Timeout | undefined;

  const ctx: BotContext = {
    base: config.url,
    config,
    metrics,
    stopSignal: stopCtl.signal,
    killSignal: killCtl.signal,
    resignAt: (seat: Seat) => stopAt + Math.min(RESIGN_AFTER_MS, GRACE_MS / 2) + seat * 1000,
  };

  const stop = () => {
    if (stopCtl.signal.aborted) return;
    stopAt = Math.min(stopAt, Date.now());
    clearTimeout(stopTimer);
    metrics.running = false;
    stopCtl.abort();
    killTimer = setTimeout(kill, Math.max(0, stopAt + GRACE_MS - Date.now()));
  };
  const kill = () => {
    stop();
    clearTimeout(killTimer);
    killCtl.abort();
  };

  const done = (async (): Promise<RawResults> => {
    const ramp = rampMs(config);
    const bots = plan.indices.map((i) => {
      const role = roleOf(config, i);
      const delay = Math.round((i / config.bots) * ramp);
      return role.kind === "player"
        ? new PlayerBot(ctx, botName(plan.runId, i), role.game, delay)
        : new SpectatorBot(ctx, botName(plan.runId, i), delay);
    });
    await sleep(plan.startAt - Date.now(), killCtl.signal);
    const cpu0 = process.cpuUsage();
    const eventLoop = monitorEventLoopDelay({ resolution: 10 });
    eventLoop.enable();
    stopTimer = setTimeout(stop, Math.max(0, stopAt - Date.now()));
    const progress = setInterval(() => onProgress(metrics.takeDelta()), 1000);
    const runs = Promise.all(bots.map((b) => b.run()));
    // Every bot done, or the hard stop plus 2 s for sockets to close (a bot stuck in a
    // join that never answers is abandoned: the process exits after reporting).
    const afterKill = new Promise<void>((resolve) =>
      killCtl.signal.addEventListener("abort", () => setTimeout(resolve, 2000), { once: true }),
    );
    await Promise.race([runs, afterKill]);
    stop();
    clearTimeout(killTimer);
    clearInterval(progress);
    if (!killCtl.signal.aborted) killCtl.abort(); // close anything left over
    onProgress(metrics.takeDelta());
    eventLoop.disable();
    return metrics.raw(plan.indices.length, process.cpuUsage(cpu0), eventLoop);
  })();

  return { stop, kill, done };
}
