/** Who is online on this node: players seen on the API recently or connected to a room. */
export class OnlineTracker {
  private readonly seen = new Map<string, number>();
  private readonly connected = new Map<string, number>();

  private readonly windowMs: number;

  constructor(windowMs = 90_000) {
    this.windowMs = windowMs;
  }

  /** A player used the API at `now`. */
  touch(playerId: string, now = Date.now()): void {
    this.seen.set(playerId, now);
  }

  /** A player's socket joined (+1) or left (-1) a room. */
  socket(playerId: string, delta: 1 | -1): void {
    const n = (this.connected.get(playerId) ?? 0) + delta;
    if (n <= 0) this.connected.delete(playerId);
    else this.connected.set(playerId, n);
  }

  /** Distinct players online at `now`. */
  count(now = Date.now()): number {
    const ids = new Set(this.connected.keys());
    for (const [id, t] of this.seen) {
      if (now - t <= this.windowMs) ids.add(id);
      else this.seen.delete(id);
    }
    return ids.size;
  }
}
