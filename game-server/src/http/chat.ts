/**
 * Chat over HTTP (docs/protocol.md, "Chat"): the lobby channel (read by
 * polling, posted to), mute and block, and reports. Registered on the API's
 * router by api.ts (one line); logic in chat/.
 *
 * - `GET /api/chat/lobby` — the recent history from the table;
 *   `?after=<id>`: only newer messages, from this node's ring (chat/lobby.ts),
 *   which costs no query when nothing is new. Muted and blocked senders are
 *   left out.
 * - `POST /api/chat/lobby {text}` — stored, then relayed to every node.
 * - `GET /api/chat/relations`, `PUT|DELETE /api/chat/relations/<kind>/<playerId>`.
 * - `POST /api/chat/reports {messageId, reason}` — recorded in the audit log
 *   (`chat.report`), with the message as stored.
 */
import {
  ChatReport,
  type LobbyChatResponse,
  LOBBY_CHANNEL,
  LobbyPost,
  RELATION_KINDS,
  type RelationsResponse,
} from "@tabula/shared/protocol";
import type { Response, Router } from "express";
import { z } from "zod";
import type { AuditSink } from "../audit/writer.ts";
import type { ChatService } from "../chat/service.ts";
import { addRelation, findMessage, listRelations, removeRelation } from "../chat/store.ts";
import type { Db } from "../db/client.ts";
import { findPlayer } from "../db/players.ts";
import { ClientError } from "../errors.ts";
import type { Identify } from "./identity.ts";
import { parse, route } from "./middleware.ts";

const AfterQuery = z
  .object({
    after: z
      .string()
      .regex(/^[0-9]{1,18}$/, "a message id")
      .optional(),
  })
  .passthrough();
const RelationParams = z.object({ kind: z.enum(RELATION_KINDS), playerId: z.uuid({ message: "a player id" }) });

export interface ChatRouteDeps {
  /** Unset (a node without chat): every chat route answers 503 UNAVAILABLE. */
  chat?: ChatService;
  db: Db;
  audit?: AuditSink;
}

/** Register the chat routes on the API's router `api` (under /api/chat). */
export function chatRoutes(api: Router, deps: ChatRouteDeps, identify: Identify): void {
  const service = (): ChatService => {
    if (!deps.chat) throw new ClientError("UNAVAILABLE", "chat is not available on this node");
    return deps.chat;
  };

  api.get(
    "/chat/lobby",
    route(async (req): Promise<LobbyChatResponse> => {
      const me = await identify(req);
      const chat = service();
      const { after } = parse(AfterQuery, req.query);
      if (after === undefined) return { messages: await chat.history(LOBBY_CHANNEL, me.playerId) };
      const fresh = chat.lobby.since(BigInt(after));
      return { messages: fresh.length === 0 ? [] : await chat.visibleTo(me.playerId, fresh) };
    }),
  );

  api.post(
    "/chat/lobby",
    route(async (req, res) => {
      const me = await identify(req);
      const chat = service();
      const { text } = parse(LobbyPost, req.body);
      const r = await chat.post(me, LOBBY_CHANNEL, text);
      if (!r.ok) {
        if (r.retryInS !== undefined) res.setHeader("Retry-After", String(r.retryInS));
        throw new ClientError(r.code, r.message);
      }
      chat.lobby.publish(r.line);
      return { message: r.line };
    }),
  );

  api.get(
    "/chat/relations",
    route(async (req): Promise<RelationsResponse> => {
      const me = await identify(req);
      const rows = await listRelations(deps.db, me.playerId);
      const of = (kind: string) => rows.filter((r) => r.kind === kind).map(({ id, name }) => ({ id, name }));
      return { mute: of("mute"), block: of("block") };
    }),
  );

  const relation = (add: boolean) =>
    route(async (req, res: Response) => {
      const me = await identify(req);
      const { kind, playerId } = parse(RelationParams, req.params);
      if (playerId === me.playerId) throw new ClientError("BAD_REQUEST", `you cannot ${kind} yourself`);
      if (add) {
        if (!(await findPlayer(deps.db, playerId))) throw new ClientError("NO_PLAYER", "no such player");
        await addRelation(deps.db, me.playerId, playerId, kind);
      } else {
        await removeRelation(deps.db, me.playerId, playerId, kind);
      }
      res.status(204).end();
    });
  api.put("/chat/relations/:kind/:playerId", relation(true));
  api.delete("/chat/relations/:kind/:playerId", relation(false));

  api.post(
    "/chat/reports",
    route(async (req, res) => {
      const me = await identify(req);
      const { messageId, reason } = parse(ChatReport, req.body);
      const m = await findMessage(deps.db, BigInt(messageId));
      if (!m) throw new ClientError("NO_MESSAGE", "no such chat message");
      const gameId = /^g:([a-z0-9]+):[ps]$/.exec(m.channel)?.[1] ?? null;
      deps.audit?.record({
        kind: "chat.report",
        playerId: me.playerId,
        gameId,
        ip: req.ip,
        detail: { messageId: m.id, channel: m.channel, senderId: m.playerId, senderName: m.name, text: m.text, reason },
      });
      res.status(202);
      return { ok: true };
    }),
  );
}
