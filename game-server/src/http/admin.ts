/**
 * The operator API under /api/admin, read by the operator page (client
 * /admin). Every route needs an identity (Bearer token, as on /api: 401
 * UNAUTHENTICATED without a valid one) whose player id is in
 * ADMIN_PLAYER_IDS (403 FORBIDDEN otherwise), and counts against the same
 * per-address rate limit as /api. Errors answer `{ error: { code, message } }`.
 *
 *   GET /api/admin/me          who you are (the page's sign-in check)
 *   GET /api/admin/overview    nodes (health, heartbeat age, version, uptime, games, players, spectators) and totals
 *   GET /api/admin/games       live games on every node
 *   GET /api/admin/figures     moves/s, commit latency and pairing time p50/p99, connections, per interval, cluster-wide
 *   GET /api/admin/audit       the audit log, filtered by time, kind, player and game, a page at a time
 */
import type { AdminFigures, AdminOverview } from "@tabula/shared/protocol";
import express from "express";
import type { Redis } from "ioredis";
import { z } from "zod";
import { AuditQuery, searchAudit } from "../audit/search.ts";
import type { AuditSink } from "../audit/writer.ts";
import type { Reads } from "../db/reads.ts";
import { ClientError } from "../errors.ts";
import type { OnlineTracker } from "../game/online.ts";
import type { Logger } from "../log.ts";
import { FIGURES_WINDOW_MS, type FiguresSampler } from "../metrics/figures.ts";
import { mergeFigures } from "../metrics/figuresMerge.ts";
import type { LiveGame } from "../rooms/listing.ts";
import { listAdminNodes, type NodeSources } from "./adminNodes.ts";
import type { Identify } from "./identity.ts";
import { errorHandler, notFound, parse, route } from "./middleware.ts";
import { createRateLimiters } from "./rateLimit.ts";

export interface AdminDeps {
  /** Player ids allowed here (ADMIN_PLAYER_IDS, lower-case). */
  adminIds: readonly string[];
  identify: Identify;
  figures: FiguresSampler;
  /** Bucket bounds (seconds) of the commit and pairing histograms the samples carry. */
  bounds: { commit: readonly number[]; pairing: readonly number[] };
  nodes: NodeSources["colyseus"];
  aliveTtlMs: number;
  liveGames: () => Promise<LiveGame[]>;
  online: Pick<OnlineTracker, "count">;
  /** Where the audit log is read: the read replica while it is up and fresh, else the primary (db/reads.ts). */
  reads: Pick<Reads, "read">;
  /** Where operators' actions are recorded (`admin.*` kinds); unset: not recorded. */
  audit?: AuditSink;
  rateLimits: { apiPerMin: number; guestPerMin: number };
  redis?: Redis;
  log: Logger;
  now?: () => number;
}

const FiguresQuery = z.object({ minutes: z.coerce.number().int().min(1).max(10).default(10) });

export function createAdminApi(deps: AdminDeps): express.Router {
  const admin = express.Router();
  const now = deps.now ?? Date.now;
  // The same per-address budget as the rest of /api (the page polls a few requests every few seconds).
  admin.use(createRateLimiters({ ...deps.rateLimits, redis: deps.redis, log: deps.log }).api);

  const operators = new Set(deps.adminIds.map((id) => id.toLowerCase()));
  // Every route: an identity first (401), then an operator's (403).
  admin.use((req, res, next) => {
    deps
      .identify(req)
      .then((me) => {
        if (!operators.has(me.playerId.toLowerCase())) {
          deps.log.warn({ player: me.playerId, path: req.path }, "operator API refused: not in ADMIN_PLAYER_IDS");
          throw new ClientError("FORBIDDEN", "this identity is not an operator (ADMIN_PLAYER_IDS)");
        }
        res.locals.operator = me;
        next();
      })
      .catch(next);
  });

  const sources: NodeSources = {
    figures: deps.figures,
    colyseus: deps.nodes,
    redis: deps.redis,
    aliveTtlMs: deps.aliveTtlMs,
    now,
  };

  admin.get(
    "/me",
    route(async (_req, res) => ({ id: res.locals.operator.playerId, name: res.locals.operator.name, operator: true })),
  );

  admin.get(
    "/overview",
    route(async (): Promise<AdminOverview> => {
      const [nodes, games, playersOnline] = await Promise.all([
        listAdminNodes(sources),
        deps.liveGames(),
        deps.online.count().catch(() => null),
      ]);
      const up = nodes.filter((n) => n.status !== "down");
      return {
        at: now(),
        nodes,
        totals: {
          nodesUp: up.length,
          games: games.length,
          players: up.reduce((s, n) => s + n.players, 0),
          spectators: up.reduce((s, n) => s + n.spectators, 0),
          playersOnline,
        },
      };
    }),
  );

  admin.get(
    "/games",
    route(async () => ({ games: await deps.liveGames() })),
  );

  admin.get(
    "/figures",
    route(async (req): Promise<AdminFigures> => {
      const { minutes } = parse(FiguresQuery, req.query);
      const { byNode, source } = await deps.figures.everyNode();
      const points = mergeFigures(byNode, {
        slotMs: deps.figures.intervalMs,
        windowMs: Math.min(minutes * 60_000, FIGURES_WINDOW_MS),
        now: now(),
        commitBounds: deps.bounds.commit,
        pairingBounds: deps.bounds.pairing,
      });
      return { intervalMs: deps.figures.intervalMs, source, points };
    }),
  );

  admin.get(
    "/audit",
    route(async (req, res) => {
      const query = parse(AuditQuery, req.query);
      const page = await deps.reads.read((db) => searchAudit(db, query));
      // Who looked at what: reading the audit log is itself an operator's action worth keeping.
      const { limit: _limit, ...filters } = query;
      deps.audit?.record({
        kind: "admin.view_audit",
        playerId: res.locals.operator.playerId,
        ip: req.ip ?? null,
        detail: filters,
      });
      return page;
    }),
  );

  admin.use(notFound);
  admin.use(errorHandler(deps.log));
  return admin;
}
