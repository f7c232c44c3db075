/**
 * Chat rows in PostgreSQL ("ChatMessage", "PlayerRelation"): the one place
 * chat SQL lives. A message is inserted before anyone is sent it, as a move
 * is; history and delivery leave out the senders a reader muted or blocked.
 * Connection failures surface as DbUnavailableError (db/errors.ts).
 */
import type { ChatLine, RelationKind } from "@tabula/shared/protocol";
import type { Db } from "../db/client.ts";
import { guard } from "../db/errors.ts";

type Row = { id: bigint; channel: string; playerId: string; name: string; text: string; at: Date };

const line = (r: Row): ChatLine => ({
  id: r.id.toString(),
  channel: r.channel,
  playerId: r.playerId,
  name: r.name,
  text: r.text,
  at: r.at.getTime(),
});

/** Store a message; resolves once committed, with its id and time. */
export async function insertMessage(
  db: Db,
  m: { channel: string; playerId: string; name: string; text: string },
): Promise<ChatLine> {
  const rows = await guard(
    () => db.$queryRaw<Row[]>`
      INSERT INTO "ChatMessage" (channel, "playerId", name, text)
      VALUES (${m.channel}, ${m.playerId}::uuid, ${m.name.slice(0, 24)}, ${m.text})
      RETURNING id, channel, "playerId"::text AS "playerId", name, text, at`,
  );
  return line(rows[0]);
}

/**
 * The last `limit` messages of `channel`, oldest first, as `viewerId` may see them (senders it muted or
 * blocked left out; no viewer: everyone's). Served by the (channel, id) index.
 */
export async function channelHistory(db: Db, channel: string, limit: number, viewerId?: string): Promise<ChatLine[]> {
  const viewer = viewerId ?? null;
  const rows = await guard(
    () => db.$queryRaw<Row[]>`
      SELECT id, channel, "playerId"::text AS "playerId", name, text, at FROM "ChatMessage" m
      WHERE channel = ${channel}
        AND (${viewer}::uuid IS NULL OR NOT EXISTS (
          SELECT 1 FROM "PlayerRelation" r WHERE r."ownerId" = ${viewer}::uuid AND r."targetId" = m."playerId"))
      ORDER BY id DESC LIMIT ${limit}`,
  );
  return rows.reverse().map(line);
}

/** Which of `readers` muted or blocked `senderId` (their copy of its messages is not delivered). */
export async function readersHiding(db: Db, senderId: string, readers: string[]): Promise<Set<string>> {
  if (readers.length === 0) return new Set();
  const rows = await guard(
    () => db.$queryRaw<Array<{ ownerId: string }>>`
      SELECT DISTINCT "ownerId"::text AS "ownerId" FROM "PlayerRelation"
      WHERE "targetId" = ${senderId}::uuid AND "ownerId" = ANY(${readers}::uuid[])`,
  );
  return new Set(rows.map((r) => r.ownerId));
}

/** Which of `senders` `readerId` muted or blocked. */
export async function sendersHidden(db: Db, readerId: string, senders: string[]): Promise<Set<string>> {
  if (senders.length === 0) return new Set();
  const rows = await guard(
    () => db.$queryRaw<Array<{ targetId: string }>>`
      SELECT DISTINCT "targetId"::text AS "targetId" FROM "PlayerRelation"
      WHERE "ownerId" = ${readerId}::uuid AND "targetId" = ANY(${senders}::uuid[])`,
  );
  return new Set(rows.map((r) => r.targetId));
}

/** Record that `ownerId` mutes or blocks `targetId` (idempotent). */
export async function addRelation(db: Db, ownerId: string, targetId: string, kind: RelationKind): Promise<void> {
  await guard(
    () => db.$executeRaw`
      INSERT INTO "PlayerRelation" ("ownerId", "targetId", kind) VALUES (${ownerId}::uuid, ${targetId}::uuid, ${kind})
      ON CONFLICT DO NOTHING`,
  );
}

/** Undo addRelation (idempotent). */
export async function removeRelation(db: Db, ownerId: string, targetId: string, kind: RelationKind): Promise<void> {
  await guard(
    () => db.$executeRaw`
      DELETE FROM "PlayerRelation" WHERE "ownerId" = ${ownerId}::uuid AND "targetId" = ${targetId}::uuid AND kind = ${kind}`,
  );
}

/** Everyone `ownerId` muted or blocked, with their names, newest first. */
export async function listRelations(db: Db, ownerId: string): Promise<Array<{ kind: RelationKind; id: string; name: string }>> {
  return guard(
    () => db.$queryRaw<Array<{ kind: RelationKind; id: string; name: string }>>`
      SELECT r.kind, p.id::text AS id, p.name FROM "PlayerRelation" r JOIN "Player" p ON p.id = r."targetId"
      WHERE r."ownerId" = ${ownerId}::uuid ORDER BY r."createdAt" DESC LIMIT 1000`,
  );
}

/** The message with id `id`, or null. */
export async function findMessage(db: Db, id: bigint): Promise<ChatLine | null> {
  const rows = await guard(
    () => db.$queryRaw<Row[]>`
      SELECT id, channel, "playerId"::text AS "playerId", name, text, at FROM "ChatMessage" WHERE id = ${id}`,
  );
  return rows[0] ? line(rows[0]) : null;
}
