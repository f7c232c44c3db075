/**
 * What the operator API (/api/admin) answers: the shapes the server builds
 * (http/admin.ts and the modules it calls) and the operator page reads
 * (client/src/admin/). Operators only; not part of the players' protocol.
 */

/** One row of the node table (GET /api/admin/overview). */
export interface AdminNode {
  nodeId: string;
  processId: string;
  /** up: heartbeat fresh; down: heartbeat gone (dead, or stopped); unknown: Redis could not say. Single node: up. */
  status: "up" | "down" | "unknown";
  /** How long ago the heartbeat was renewed, ms (null: no heartbeat, single node or Redis unreachable). */
  heartbeatAgeMs: number | null;
  version: string | null;
  startedAt: number | null;
  uptimeS: number | null;
  /** Live games hosted, players and spectators connected (the node's own count, at `reportedAt`). */
  games: number;
  players: number;
  spectators: number;
  /** Colyseus' count of rooms and connections on the node (null when it is not listed). */
  rooms: number | null;
  ccu: number | null;
  /** When the node last reported its counts, epoch ms (null: never, or expired). */
  reportedAt: number | null;
  /** The node answering this request. */
  self: boolean;
}

/** GET /api/admin/overview. */
export interface AdminOverview {
  at: number;
  nodes: AdminNode[];
  totals: { nodesUp: number; games: number; players: number; spectators: number; playersOnline: number | null };
}

/** One point of the cluster's series (figures of every node that sampled in that slot). */
export interface FigurePoint {
  /** Start of the slot, epoch ms. */
  at: number;
  /** Nodes whose sample fell in this slot. */
  nodes: number;
  movesPerS: number;
  /** Commit latency quantiles in the slot, ms; null when nothing was committed. */
  commitP50Ms: number | null;
  commitP99Ms: number | null;
  /** Quick-play pairing time quantiles in the slot, ms; null when nobody was paired. */
  pairingP50Ms: number | null;
  pairingP99Ms: number | null;
  pairings: number;
  games: number;
  players: number;
  spectators: number;
}

/** GET /api/admin/figures. */
export interface AdminFigures {
  intervalMs: number;
  /** cluster: every node's samples through Redis; local: this node's own (single node). */
  source: "cluster" | "local";
  points: FigurePoint[];
}

/** One row of the audit log as the operator page shows it (GET /api/admin/audit). */
export interface AuditEntry {
  /** The row's id (a bigint, as a string). */
  id: string;
  /** When it happened, ISO 8601 (UTC, milliseconds). */
  at: string;
  kind: string;
  /** The node that recorded it. */
  nodeId: string | null;
  playerId: string | null;
  gameId: string | null;
  /** The client's address as the node saw it. */
  ip: string | null;
  detail: Record<string, unknown>;
}

/** A page of the audit log, newest first; `next` is the `before` cursor of the following page. */
export interface AuditPage {
  entries: AuditEntry[];
  next?: string;
}
