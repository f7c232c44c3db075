/**
 * PostgreSQL's RefreshStore (auth/sessions.ts): the "RefreshToken" table,
 * one row per issued token (its SHA-256, never the token), a family per login.
 * A refresh runs in one interactive transaction that locks the presented row
 * (SELECT … FOR UPDATE), so two nodes handed the same token at once serialize:
 * the second sees it rotated and revokes the family.
 */
import type { RefreshRow, RefreshStore, RefreshTx } from "../auth/sessions.ts";
import type { Db } from "./client.ts";
import { guard } from "./errors.ts";

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

interface Row {
  hash: string;
  familyId: string;
  playerId: string;
  expiresAt: Date;
  rotatedAt: Date | null;
  revokedAt: Date | null;
}

const ms = (d: Date | null) => (d ? d.getTime() : null);

function txOf(tx: Tx): RefreshTx {
  return {
    async lock(hash) {
      const rows = await tx.$queryRaw<Row[]>`
        SELECT hash, "familyId"::text AS "familyId", "playerId"::text AS "playerId", "expiresAt", "rotatedAt", "revokedAt"
        FROM "RefreshToken" WHERE hash = ${hash} FOR UPDATE`;
      const r = rows[0];
      if (!r) return null;
      return {
        ...r,
        expiresAt: r.expiresAt.getTime(),
        rotatedAt: ms(r.rotatedAt),
        revokedAt: ms(r.revokedAt),
      } satisfies RefreshRow;
    },
    async markRotated(hash, at) {
      await tx.$executeRaw`UPDATE "RefreshToken" SET "rotatedAt" = ${new Date(at)} WHERE hash = ${hash}`;
    },
    async insert(row) {
      await tx.$executeRaw`
        INSERT INTO "RefreshToken" (hash, "familyId", "playerId", "expiresAt")
        VALUES (${row.hash}, ${row.familyId}::uuid, ${row.playerId}::uuid, ${new Date(row.expiresAt)})`;
    },
    async revokeFamily(familyId, at) {
      return tx.$executeRaw`
        UPDATE "RefreshToken" SET "revokedAt" = ${new Date(at)} WHERE "familyId" = ${familyId}::uuid AND "revokedAt" IS NULL`;
    },
  };
}

/**
 * The refresh tokens in `db`. Rows stay after they expire or are revoked (a
 * rotated token must stay known to be recognised when replayed); a login
 * deletes its player's rows expired more than a day ago.
 */
export function createRefreshStore(db: Db): RefreshStore & { prune(playerId: string, now: number): Promise<void> } {
  return {
    transaction: (fn) => guard(() => db.$transaction((tx) => fn(txOf(tx)))),
    async revokePlayer(playerId, at) {
      const rows = await guard(
        () => db.$queryRaw<Array<{ n: number }>>`
          WITH r AS (
            UPDATE "RefreshToken" SET "revokedAt" = ${new Date(at)}
            WHERE "playerId" = ${playerId}::uuid AND "revokedAt" IS NULL RETURNING "familyId")
          SELECT count(DISTINCT "familyId")::int AS n FROM r`,
      );
      return rows[0]?.n ?? 0;
    },
    async prune(playerId, now) {
      await guard(
        () => db.$executeRaw`
          DELETE FROM "RefreshToken" WHERE "playerId" = ${playerId}::uuid AND "expiresAt" < ${new Date(now - 86_400_000)}`,
      );
    },
  };
}
