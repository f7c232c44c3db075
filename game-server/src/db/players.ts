/** Player rows: guests and bots. Connection failures surface as DbUnavailableError (errors.ts), as in games.ts. */
import { randomUUID } from "node:crypto";
import { nameSkeleton } from "@tabula/shared/protocol";
import type { Db } from "./client.ts";
import { DbUnavailableError, guard } from "./errors.ts";

export interface PlayerRow {
  id: string;
  name: string;
  isBot: boolean;
}

const PLAYER = { id: true, name: true, isBot: true } as const;

/**
 * The form used for uniqueness: the name's skeleton (protocol/names.ts): lower-cased, whitespace collapsed,
 * accents, compatibility forms and other scripts' look-alikes of Latin letters folded, so that a look-alike
 * of a taken name is taken too. At most 24 characters (the column).
 */
export function nameKey(name: string): string {
  return nameSkeleton(name).slice(0, 24);
}

const GUEST_ADJECTIVES = ["Swift", "Quiet", "Bold", "Clever", "Lucky", "Brave", "Calm", "Keen"];
const GUEST_NOUNS = ["Rook", "Knight", "Bishop", "Pawn", "Disc", "Queen", "King", "Tile"];

function defaultGuestName(): string {
  const a = GUEST_ADJECTIVES[Math.floor(Math.random() * GUEST_ADJECTIVES.length)];
  const n = GUEST_NOUNS[Math.floor(Math.random() * GUEST_NOUNS.length)];
  return `${a} ${n}`;
}

/** Attempt `attempt` (1-based) at a free form of `base`: itself, then "-2" … "-9", then a random 5-digit suffix. */
function candidate(base: string, attempt: number): string {
  const suffix = attempt === 1 ? "" : `-${attempt < 10 ? attempt : Math.floor(Math.random() * 90_000) + 10_000}`;
  return base.slice(0, 24 - suffix.length) + suffix;
}

/** A name's display form: trimmed, inner whitespace collapsed. */
const cleanName = (name: string) => name.trim().replace(/\s+/g, " ");

/**
 * A free name close to `name` ("alice-2", "alice-3", …, then "alice-48213"), to offer someone whose
 * choice is taken; null if none of the candidates looked at is free. One query; not reserved.
 */
export async function freeNameLike(db: Db, name: string): Promise<string | null> {
  const base = cleanName(name);
  const candidates = [...new Set(Array.from({ length: 12 }, (_, i) => candidate(base, i + 2)))];
  const keys = candidates.map(nameKey);
  const taken = await guard(
    () => db.$queryRaw<{ nameKey: string }[]>`SELECT "nameKey" FROM "Player" WHERE "nameKey" = ANY(${keys}::text[])`,
  );
  const used = new Set(taken.map((r) => r.nameKey));
  return candidates.find((c) => !used.has(nameKey(c))) ?? null;
}

/**
 * Create a player named `wanted` exactly, or null when the name (or a look-alike: nameKey) is taken. One
 * statement, race-free between nodes.
 */
export async function createPlayerNamed(db: Db, wanted: string, isBot = false): Promise<PlayerRow | null> {
  const name = cleanName(wanted).slice(0, 24);
  const rows = await guard(
    () => db.$queryRaw<PlayerRow[]>`
      INSERT INTO "Player" (id, name, "nameKey", "isBot") VALUES (${randomUUID()}::uuid, ${name}, ${nameKey(name)}, ${isBot})
      ON CONFLICT ("nameKey") DO NOTHING
      RETURNING id::text AS id, name, "isBot"`,
  );
  return rows[0] ?? null;
}

/**
 * Create a player named `wanted` (or a generated guest name). Names are unique
 * case-insensitively: a taken name gets the first free suffix "-2", "-3", …
 * (trimmed to fit 24 characters). For a name a person chose, createPlayerNamed
 * and freeNameLike offer the alternative instead of picking it for them.
 */
export async function createPlayer(db: Db, wanted: string | undefined, isBot = false): Promise<PlayerRow> {
  const base = cleanName(wanted ?? defaultGuestName());
  const id = randomUUID();
  for (let attempt = 1; attempt < 50; attempt++) {
    const name = candidate(base, attempt);
    // ON CONFLICT keeps this one round trip and race-free between nodes.
    const rows = await guard(
      () => db.$queryRaw<PlayerRow[]>`
      INSERT INTO "Player" (id, name, "nameKey", "isBot") VALUES (${id}::uuid, ${name}, ${nameKey(name)}, ${isBot})
      ON CONFLICT ("nameKey") DO NOTHING
      RETURNING id::text AS id, name, "isBot"`,
    );
    if (rows.length === 1) return rows[0];
  }
  throw new Error("could not find a free display name");
}

export async function findPlayer(db: Db, id: string): Promise<PlayerRow | null> {
  return guard(() => db.player.findUnique({ where: { id }, select: PLAYER }));
}

/**
 * findPlayer that remembers the players it found for `ttlMs` (at most `max`,
 * oldest forgotten first). Every API request checks its caller exists (the
 * database may have been reset since the token was signed); players are never
 * renamed or deleted while the database lives, so a minute's memory is safe
 * and spares a query per request. Unknown ids are never remembered.
 */
export function createPlayerLookup(db: Db, ttlMs = 60_000, max = 20_000, now: () => number = Date.now) {
  const known = new Map<string, { row: PlayerRow; until: number }>();
  return async (id: string): Promise<PlayerRow | null> => {
    const hit = known.get(id);
    if (hit && now() < hit.until) return hit.row;
    const row = await findPlayer(db, id);
    known.delete(id);
    if (row) {
      if (known.size >= max) known.delete(known.keys().next().value as string);
      known.set(id, { row, until: now() + ttlMs });
    }
    return row;
  };
}

/** The bot player used for games against the built-in bot (created on first use). */
export async function botPlayer(db: Db, kind: string): Promise<PlayerRow> {
  const name = kind === "chess" ? "Tabula Bot (Chess)" : "Tabula Bot (Connect 4)";
  const key = nameKey(name).slice(0, 24);
  const existing = await guard(() => db.player.findUnique({ where: { nameKey: key }, select: PLAYER }));
  if (existing) return existing;
  try {
    return await guard(() =>
      db.player.create({ data: { id: randomUUID(), name: name.slice(0, 24), nameKey: key, isBot: true }, select: PLAYER }),
    );
  } catch (err) {
    if (err instanceof DbUnavailableError) throw err;
    // Two nodes created it at once: the loser's insert violated the unique key; read the winner's row.
    const again = await guard(() => db.player.findUnique({ where: { nameKey: key }, select: PLAYER }));
    if (!again) throw err;
    return again;
  }
}
