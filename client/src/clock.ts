/**
 * Clock arithmetic and formatting (pure; no DOM). The server sends each seat's
 * remaining time as of its own `serverNow`; the client ticks locally from the
 * moment it *received* that state, so a skewed local clock does not matter.
 */
import type { ClockState } from "@tabula/shared/protocol";
import type { Seat } from "@tabula/shared/rules";

/** A clock state and when (local Date.now()) it arrived. */
export interface ClockAnchor {
  clocks: ClockState;
  receivedAt: number;
  /** Estimated one-way network delay in ms (half the measured round trip), added to the elapsed time. */
  transitMs?: number;
}

/** Each seat's remaining ms at local time `now`: only the running seat's clock moves. */
export function remainingAt(anchor: ClockAnchor, now: number): [number, number] {
  const r: [number, number] = [anchor.clocks.remainingMs[0], anchor.clocks.remainingMs[1]];
  const running = anchor.clocks.running;
  if (running !== null) {
    const elapsed = Math.max(0, now - anchor.receivedAt + (anchor.transitMs ?? 0));
    r[running] = Math.max(0, r[running] - elapsed);
  }
  return r;
}

/** Convert a server epoch time (deadline) into local Date.now() terms, using the anchor's receipt time. */
export function serverToLocal(anchor: ClockAnchor, serverEpochMs: number): number {
  return anchor.receivedAt + (serverEpochMs - anchor.clocks.serverNow) - (anchor.transitMs ?? 0);
}

/** Whole seconds left until `localDeadline` (rounded up, never negative). */
export function secondsUntil(localDeadline: number, now: number): number {
  return Math.max(0, Math.ceil((localDeadline - now) / 1000));
}

/**
 * A chess-clock reading: "1:02:03" from an hour up, "4:05" from 10 s up, and
 * "0:09.4" with tenths below 10 s.
 */
export function formatClock(ms: number): string {
  const clamped = Math.max(0, ms);
  if (clamped < 10_000) {
    const tenths = Math.floor(clamped / 100);
    return `0:0${Math.floor(tenths / 10)}.${tenths % 10}`;
  }
  const total = Math.floor(clamped / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** Whether a clock should be drawn as low on time. */
export function isLow(ms: number, initialMs: number): boolean {
  return ms < Math.min(20_000, initialMs * 0.1 + 1);
}

export function otherSeat(seat: Seat): Seat {
  return seat === 0 ? 1 : 0;
}
