/**
 * The HTTP API under /api: identity, matchmaking, history, stats. Every body
 * is validated with the protocol's schemas; errors answer
 * `{ error: { code, message } }` with a fitting status, and internal details
 * never reach the client.
 */
import { ClientError } from "../errors.ts";
import express from "express";
import {
  BotGameRequest,
  GuestRequest,
  type GameSummary,
  InviteAcceptRequest,
  type InviteInfoResponse,
  InviteRequest,
} from "@tabula/shared/protocol";
import { GAMES, findTimeControl, getGame, replay, type GameDefinition, type GameKind, type Seat } from "@tabula/shared/rules";
import { z } from "zod";
import type { AuditSink } from "../audit/writer.ts";
import { hashPassword } from "../auth/passwords.ts";
import type { TokenService } from "../auth/tokens.ts";
import type { Db } from "../db/client.ts";
import { type GameRepository, moveRecordOf } from "../db/games.ts";
import { listPlayerGames, loadGameRecord, trustGameRecord, trustPlayerGames } from "../db/history.ts";
import type { Reads } from "../db/reads.ts";
import { botPlayer, createPlayer, createPlayerNamed } from "../db/players.ts";
import type { GameFactory } from "../game/factory.ts";
import type { OnlineTracker } from "../game/online.ts";
import type { Logger } from "../log.ts";
import type { Matchmaker } from "../matchmaking/matchmaker.ts";
import type { PasswordGate } from "../privateGames/passwordGate.ts";
import type { LiveGame } from "../rooms/listing.ts";
import type { Redis } from "ioredis";
import { type AccountSettings, meResponse, mountAccounts } from "./accounts.ts";
import type { ChatService } from "../chat/service.ts";
import { chatRoutes } from "./chat.ts";
import { createIdentify } from "./identity.ts";
import { refuseTakenName } from "./names.ts";
import { addLeaderboardRoutes } from "./leaderboard.ts";
import { errorHandler, notFound, parse, route } from "./middleware.ts";
import { quickPlay } from "./quickPlay.ts";
import { createRateLimiters } from "./rateLimit.ts";

export interface ApiDeps {
  /** Requests per minute per client IP: all of /api, and guest creation. */
  rateLimits: { apiPerMin: number; guestPerMin: number };
  /** The node's Redis (cluster mode): rate-limit counters are shared there. Unset: counted in memory. */
  redis?: Redis;
  db: Db;
  /**
   * Reads that may be served by the read replica (history, replay, the operator page): db/reads.ts.
   * Never for anything a live game depends on.
   */
  reads: Reads;
  games: GameRepository;
  tokens: TokenService;
  matchmaker: Matchmaker;
  factory: GameFactory;
  online: OnlineTracker;
  nodeId: string;
  log: Logger;
  /** Checks and throttles private invites' passwords (privateGames/passwordGate.ts). */
  passwords: PasswordGate;
  /** Where identities, logins, refused tokens and rate-limit cut-offs are recorded (audit/). */
  audit?: AuditSink;
  /** Chat (chat/service.ts): the lobby, mute/block, reports (http/chat.ts). */
  chat?: ChatService;
  /** Live games across the cluster (or this node), for the Watch list. */
  liveGames: () => Promise<LiveGame[]>;
  /** Accounts' session lives and login throttle (http/accounts.ts); unset: config.ts' defaults. */
  accounts?: AccountSettings;
  /** Rooms and connections per node. */
  nodes: () => Promise<Array<{ nodeId: string; processId: string; rooms: number; ccu: number }>>;
}

/** The game and its time control (the game's first when none is given); 400 for one it does not have. */
function knownTimeControl(c: { game: GameKind; timeControl?: string }): { game: GameKind; timeControl: string } {
  const tc = findTimeControl(c.game, c.timeControl ?? getGame(c.game)?.timeControls[0]?.id ?? "");
  if (!tc) throw new ClientError("BAD_REQUEST", `unknown time control ${c.timeControl} for ${c.game}`);
  return { game: c.game, timeControl: tc.id };
}

const TicketParams = z.object({ ticket: z.string().min(8).max(40) });
const CodeParams = z.object({ code: z.string().regex(/^[A-Za-z0-9]{6}$/, "6 letters or digits") });
const GameParams = z.object({ id: z.string().regex(/^[a-z0-9]{4,16}$/, "a game id") });
const WaitQuery = z.object({ wait: z.coerce.number().min(0).max(30).default(0) }).passthrough();

export function createApi(deps: ApiDeps): express.Router {
  const api = express.Router();
  // Flooding: past the limit a client gets 429 RATE_LIMITED, counted across the cluster (rateLimit.ts).
  const limits = createRateLimiters({ ...deps.rateLimits, redis: deps.redis, log: deps.log, audit: deps.audit });
  api.use(limits.api);
  api.use(express.json({ limit: "4kb" }));

  /** The caller's identity from the Bearer token; 401 when missing or invalid, recorded as token.refused (identity.ts). */
  const identify = createIdentify(deps);

  api.post(
    "/guest",
    limits.guest,
    route(async (req) => {
      const { name, ifTaken } = parse(GuestRequest, req.body);
      // A person choosing a name is offered a free one when it is taken, rather than renamed without a word.
      const player =
        name !== undefined && ifTaken === "suggest"
          ? ((await createPlayerNamed(deps.db, name)) ?? (await refuseTakenName(deps.db, name)))
          : await createPlayer(deps.db, name);
      deps.online.touch(player.id);
      const token = await deps.tokens.sign({ playerId: player.id, name: player.name });
      deps.log.info({ player: player.id, name: player.name }, "guest created");
      deps.audit?.record({ kind: "identity.created", playerId: player.id, ip: req.ip, detail: { name: player.name } });
      return { token, player: { id: player.id, name: player.name } };
    }),
  );

  api.get(
    "/me",
    route(async (req) => {
      const me = await identify(req);
      // What the client calls on start (and as its "still here"): a login, written once per player per node per hour.
      deps.audit?.record({ kind: "login", playerId: me.playerId, ip: req.ip, detail: { name: me.name } });
      return meResponse(me);
    }),
  );

  // Register (or claim this guest), log in, refresh, log out, change the password (http/accounts.ts).
  mountAccounts(api, deps, identify, limits.guest);

  api.get(
    "/games/meta",
    route(async () => ({
      games: Object.values(GAMES).map((g: GameDefinition) => ({
        id: g.id,
        name: g.name,
        seatNames: g.seatNames,
        timeControls: g.timeControls,
      })),
    })),
  );

  api.post(
    "/matchmaking/quick",
    route(async (req) => {
      return quickPlay(deps, await identify(req), req.body); // casual, or rated for accounts (quickPlay.ts)
    }),
  );

  api.get(
    "/matchmaking/tickets/:ticket",
    route(async (req) => {
      const me = await identify(req);
      const { ticket } = parse(TicketParams, req.params);
      const { wait } = parse(WaitQuery, req.query);
      return deps.matchmaker.poll(ticket, me.playerId, wait * 1000);
    }),
  );

  api.delete(
    "/matchmaking/tickets/:ticket",
    route(async (req) => {
      const me = await identify(req);
      const { ticket } = parse(TicketParams, req.params);
      return deps.matchmaker.cancel(ticket, me.playerId);
    }),
  );

  api.post(
    "/invites",
    route(async (req) => {
      const me = await identify(req);
      const { password, ...c } = parse(InviteRequest, req.body);
      const { game, timeControl } = knownTimeControl(c);
      // Only the Argon2id hash is kept (in the invite, then the game's row): never the password.
      const passwordHash = password === undefined ? undefined : await hashPassword(password);
      return deps.matchmaker.createInvite(me.playerId, game, timeControl, passwordHash);
    }),
  );

  api.get(
    "/invites/:code",
    route(async (req) => {
      const { code } = parse(CodeParams, req.params);
      const info = await deps.matchmaker.inviteInfo(code.toUpperCase());
      if (!info) throw new ClientError("NO_INVITE", "no open invite with that code");
      return info satisfies InviteInfoResponse;
    }),
  );

  api.post(
    "/invites/:code/accept",
    route(async (req) => {
      const me = await identify(req);
      const { code } = parse(CodeParams, req.params);
      const { password } = parse(InviteAcceptRequest, req.body);
      const invite = code.toUpperCase();
      // A private invite: the password is checked (and wrong ones throttled) before the invite is taken.
      const unlock = (hash: string | null) =>
        deps.passwords.check({ hash, password, scope: { invite }, ip: req.ip, playerId: me.playerId });
      return deps.matchmaker.acceptInvite(me.playerId, invite, unlock);
    }),
  );

  api.post(
    "/bot-games",
    route(async (req) => {
      const me = await identify(req);
      const { level, ...wanted } = parse(BotGameRequest, req.body);
      const { game, timeControl } = knownTimeControl(wanted);
      const bot = await botPlayer(deps.db, game);
      const playerIds: [string, string] = [me.playerId, bot.id];
      const gameId = await deps.factory.create({ game, timeControl, mode: "bot", playerIds, botLevel: level });
      return { gameId };
    }),
  );

  api.get(
    "/games",
    route(async (req) => {
      const me = await identify(req);
      // On the replica when it is fresh and holds every game the primary has for this player (history.ts).
      const rows = await deps.reads.read((db) => listPlayerGames(db, me.playerId), { trust: trustPlayerGames(me.playerId) });
      return { games: rows.map(summary) };
    }),
  );

  api.get(
    "/games/:id",
    route(async (req) => {
      const { id } = parse(GameParams, req.params);
      // On the replica when it has the game and the game is over; a live or just-made game from the primary.
      const loaded = await deps.reads.read((db) => loadGameRecord(db, id), { trust: trustGameRecord });
      if (!loaded) throw new ClientError("NO_GAME", "no such game");
      const { game, players, moves } = loaded;
      // A private game's moves are its players' while it is on (spectators watch it with the password).
      if (game.passwordHash && game.status === "active") {
        const me = await identify(req).catch(() => null);
        if (me?.playerId !== game.seat0Id && me?.playerId !== game.seat1Id)
          throw new ClientError("PASSWORD_REQUIRED", "a private game's moves are shown to its players until it is over");
      }
      const records = moves.map(moveRecordOf);
      const body: Record<string, unknown> = {
        game: { ...summary({ ...game, seat0: players[0], seat1: players[1] }), seed: game.seed },
        moves: records,
      };
      // Move retention (MOVE_KEEP_MONTHS, db/partitions/) archives whole months of moves and keeps the games.
      const movesArchived = records.length < game.ply;
      if (movesArchived) body.movesArchived = true;
      if (req.query.positions === "1" && !movesArchived) {
        // Every position of the game, replayed from the seed with the shared rules.
        const def = getGame(game.kind);
        if (def) {
          const views: unknown[] = [];
          replay(
            def,
            game.seed,
            records.map((m) => m.move),
            (state) => views.push(def.view(state, null)),
          );
          body.positions = views;
        }
      }
      return body;
    }),
  );

  api.get(
    "/stats",
    route(async (req) => {
      // The caller, when it says who it is, is online now: counted in this very answer. A bad token still gets the counts.
      if (req.header("authorization")) await identify(req).catch(() => {});
      return {
        playersOnline: await deps.online.count(),
        gamesLive: (await deps.liveGames()).length,
        node: deps.nodeId,
      };
    }),
  );

  api.get(
    "/live-games",
    route(async () => ({ games: await deps.liveGames() })),
  );

  api.get(
    "/nodes",
    route(async () => ({ nodes: await deps.nodes() })),
  );

  chatRoutes(api, deps, identify);
  addLeaderboardRoutes(api, { reads: deps.reads, identify }); // leaderboards and profiles (leaderboard.ts)

  api.use(notFound);
  api.use(errorHandler(deps.log));
  return api;
}

type SummaryRow = {
  id: string;
  kind: string;
  timeControl: string;
  mode: string;
  status: string;
  ply: number;
  winner: number | null;
  resultReason: string | null;
  createdAt: Date;
  endedAt: Date | null;
  seat0: { id: string; name: string; isBot: boolean };
  seat1: { id: string; name: string; isBot: boolean };
};

/** A game row with its players as the API answers it. */
export function summary(g: SummaryRow): GameSummary {
  return {
    gameId: g.id,
    kind: g.kind as GameKind,
    timeControl: g.timeControl,
    mode: g.mode,
    status: g.status as GameSummary["status"],
    players: [g.seat0, g.seat1],
    ply: g.ply,
    result: g.resultReason ? { winner: g.winner as Seat | null, reason: g.resultReason as never } : null,
    createdAt: g.createdAt.getTime(),
    endedAt: g.endedAt?.getTime() ?? null,
  };
}
