/**
 * Staying in a game when its node goes silent (docs/protocol.md, "Liveness").
 *
 * A node that stalls (SIGSTOP, a long GC pause, a network partition) keeps
 * its sockets open: nothing closes, nothing arrives. Its games are taken over
 * by another node once its lease runs out, but its players would wait for it
 * to wake. So a client pings (`room.ping()`, answered by the node's event
 * loop) every `heartbeat.intervalMs`; with no answer and no message for
 * `heartbeat.timeoutMs` it drops the socket without waiting on it and joins
 * the game again by id, with overlapping attempts, until the new owner
 * answers. Shared by the player and spectator bots and the test robots.
 */
import type { Room } from "@colyseus/sdk";
import type { Heartbeat } from "@tabula/shared/protocol";

/** Until the first snapshot says otherwise: what the server sends with its default 1 s node heartbeat (NODE_ALIVE_TTL_MS). */
export const DEFAULT_HEARTBEAT: Heartbeat = { intervalMs: 333, timeoutMs: 1000 };

export interface HeartbeatWatch {
  /** A message arrived: the server is alive (call it from the room's message handlers). */
  heard(): void;
  /** Use the server's figures (from a snapshot) from now on. */
  update(heartbeat: Heartbeat): void;
  /** Stop pinging (the room is being left). */
  stop(): void;
}

/**
 * Watch `room` for silence: ping every `intervalMs`; a pong, or a message
 * reported with `heard()`, counts as a sign of life; after `timeoutMs` without one, call `onSilent`
 * once with the silence in ms and stop. A late tick (this process itself was
 * stalled) restarts the count instead of blaming the server.
 */
export function watchHeartbeat(room: Room, heartbeat: Heartbeat, onSilent: (silentMs: number) => void): HeartbeatWatch {
  let hb = heartbeat;
  let lastHeard = Date.now();
  let lastPing = 0;
  let lastTick = Date.now();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const heard = () => {
    lastHeard = Date.now();
  };
  const tick = () => {
    const now = Date.now();
    // Our own event loop was held up longer than the server may be silent: the count is meaningless.
    if (now - lastTick > hb.timeoutMs / 2) lastHeard = Math.max(lastHeard, now - hb.intervalMs);
    lastTick = now;
    if (now - lastHeard > hb.timeoutMs) {
      watch.stop();
      onSilent(now - lastHeard);
      return;
    }
    if (now - lastPing >= hb.intervalMs) {
      lastPing = now;
      room.ping(heard);
    }
    timer = setTimeout(tick, Math.max(50, Math.round(hb.intervalMs / 2)));
    timer.unref?.();
  };
  const watch: HeartbeatWatch = {
    heard,
    update(next) {
      hb = next;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
    },
  };
  tick();
  return watch;
}

/**
 * Abandon a room whose server went silent: no SDK reconnection (it would retry
 * the same, silent node), no more callbacks, and the socket closed without
 * waiting for the server (the SDK's `leave()` on a dead server never settles).
 */
export function dropRoom(room: Room): void {
  room.reconnection.enabled = false;
  room.removeAllListeners();
  try {
    room.connection?.close(1000, "server silent");
  } catch {
    // already closed
  }
}

export interface RejoinOptions {
  /** Gap between the first attempts, ms (default 150); after `quickAttempts` it doubles up to `maxGapMs`. */
  gapMs?: number;
  /** Attempts started at `gapMs` before the gaps grow (default 20, i.e. ~3 s). */
  quickAttempts?: number;
  /** Largest gap between attempts, ms (default 2000). */
  maxGapMs?: number;
  /** Attempts allowed in flight at once (default 16). */
  maxInFlight?: number;
  /** Give up after this long, ms (default 120 000); rejects with the last failure. */
  giveUpMs?: number;
  /** Aborting stops new attempts and rejects. */
  signal?: AbortSignal;
  /** Sees each failed attempt; resolve false to stop trying (e.g. the game is over). Default: keep trying. */
  onFailure?: (err: unknown) => boolean | Promise<boolean>;
}

/**
 * Join again after losing a node, overlapping attempts: one now, then one every
 * `gapMs` even while earlier ones are pending. A join that reaches a listing
 * still pointing at a stalled node hangs for Colyseus' IPC timeout (~1–2 s);
 * it must not hold up the one that reaches the new owner. Resolves with the
 * first success; later successes are handed to `release`.
 */
export function rejoinOverlapping<T>(
  attempt: () => Promise<T>,
  release: (late: T) => void,
  opts: RejoinOptions = {},
): Promise<T> {
  const { gapMs = 150, quickAttempts = 20, maxGapMs = 2000, maxInFlight = 16, giveUpMs = 120_000, signal } = opts;
  return new Promise<T>((resolve, reject) => {
    const started = Date.now();
    let settled = false;
    let inFlight = 0;
    let launched = 0;
    let gap = gapMs;
    let lastError: unknown = new Error("rejoin: no attempt made");
    let timer: NodeJS.Timeout | undefined;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      fn();
    };
    const onAbort = () => settle(() => reject(signal?.reason ?? new Error("rejoin aborted")));
    const launch = () => {
      if (settled) return;
      if (Date.now() - started > giveUpMs) {
        if (inFlight === 0) settle(() => reject(lastError));
        else timer = setTimeout(launch, gap);
        return;
      }
      if (inFlight < maxInFlight) {
        inFlight++;
        launched++;
        attempt().then(
          (value) => {
            inFlight--;
            if (settled) release(value);
            else settle(() => resolve(value));
          },
          async (err: unknown) => {
            inFlight--;
            lastError = err;
            if (settled) return;
            // A failing onFailure (e.g. its status check could not reach the server) means: keep trying.
            const more = await Promise.resolve(opts.onFailure?.(err) ?? true).catch(() => true);
            if (!more) settle(() => reject(err));
          },
        );
      }
      if (launched >= quickAttempts) gap = Math.min(gap * 2, maxGapMs);
      timer = setTimeout(launch, gap);
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    launch();
  });
}
