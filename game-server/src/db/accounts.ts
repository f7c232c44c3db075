/**
 * Accounts: players with a password (Player.passwordHash, an Argon2id PHC
 * string from auth/passwords.ts) and a registration time. A guest becomes an
 * account by claiming it: the same row, so its id and its games stay.
 * Names are unique by nameKey (db/players.ts), across guests, bots and accounts.
 */
import { randomUUID } from "node:crypto";
import type { Db } from "./client.ts";
import { guard } from "./errors.ts";
import { nameKey, type PlayerRow } from "./players.ts";

export interface AccountRow {
  id: string;
  name: string;
  /** Null for a guest or a bot (no password to log in with). */
  passwordHash: string | null;
  isBot: boolean;
}

/** The player named `name` (case-insensitively, by nameKey), with its password hash; null when none. */
export async function findByName(db: Db, name: string): Promise<AccountRow | null> {
  const key = nameKey(name);
  if (key.length > 24) return null;
  return guard(() =>
    db.player.findUnique({ where: { nameKey: key }, select: { id: true, name: true, passwordHash: true, isBot: true } }),
  );
}

/** The player `id` with its password hash; null when none. */
export async function findById(db: Db, id: string): Promise<AccountRow | null> {
  return guard(() => db.player.findUnique({ where: { id }, select: { id: true, name: true, passwordHash: true, isBot: true } }));
}

/** A new account `name` with `passwordHash`; null when the name is taken (one statement: race-free across nodes). */
export async function createAccount(db: Db, name: string, passwordHash: string): Promise<PlayerRow | null> {
  const rows = await guard(
    () => db.$queryRaw<PlayerRow[]>`
      INSERT INTO "Player" (id, name, "nameKey", "isBot", "passwordHash", "registeredAt")
      VALUES (${randomUUID()}::uuid, ${name}, ${nameKey(name)}, false, ${passwordHash}, now())
      ON CONFLICT ("nameKey") DO NOTHING
      RETURNING id::text AS id, name, "isBot"`,
  );
  return rows[0] ?? null;
}

/**
 * Make guest `playerId` the account `name` with `passwordHash`: same id, so its games stay its own.
 * Resolves "claimed", "taken" (another player has the name) or "not-guest" (no such guest: an account, a bot, gone).
 */
export async function claimGuest(
  db: Db,
  playerId: string,
  name: string,
  passwordHash: string,
): Promise<"claimed" | "taken" | "not-guest"> {
  const key = nameKey(name);
  // The name is free, or this guest's own; the unique index settles a race with another node's claim or guest.
  const rows = await guard(
    () => db.$queryRaw<Array<{ outcome: string }>>`
      WITH owner AS (SELECT id FROM "Player" WHERE "nameKey" = ${key}),
      claimed AS (
        UPDATE "Player" SET name = ${name}, "nameKey" = ${key}, "passwordHash" = ${passwordHash}, "registeredAt" = now()
        WHERE id = ${playerId}::uuid AND "passwordHash" IS NULL AND NOT "isBot"
          AND NOT EXISTS (SELECT 1 FROM owner WHERE owner.id <> ${playerId}::uuid)
        RETURNING id)
      SELECT CASE
        WHEN EXISTS (SELECT 1 FROM claimed) THEN 'claimed'
        WHEN EXISTS (SELECT 1 FROM owner WHERE owner.id <> ${playerId}::uuid) THEN 'taken'
        ELSE 'not-guest' END AS outcome`,
  ).catch((err: unknown) => {
    if (isUniqueViolation(err)) return [{ outcome: "taken" }];
    throw err;
  });
  return (rows[0]?.outcome ?? "not-guest") as "claimed" | "taken" | "not-guest";
}

/** Store `passwordHash` as account `playerId`'s password (a change, or a rehash with today's parameters). */
export async function setPasswordHash(db: Db, playerId: string, passwordHash: string): Promise<void> {
  await guard(() => db.player.update({ where: { id: playerId }, data: { passwordHash } }));
}

/** Whether `err` is PostgreSQL's unique violation (23505), as raw through Prisma's pg adapter. */
function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown; meta?: { code?: unknown }; cause?: { code?: unknown; originalCode?: unknown } };
  return (
    e?.code === "P2002" ||
    e?.meta?.code === "23505" ||
    e?.cause?.code === "23505" ||
    e?.cause?.originalCode === "23505" ||
    /unique constraint|23505/i.test(String((err as Error)?.message ?? ""))
  );
}
