/**
 * Searching the audit log (what the operator page's /api/admin/audit asks):
 * by time, kind, player and game, newest first, a page at a time.
 *
 * Every filter is a column the table is indexed on, with `at` after it
 * ((kind, at), (playerId, at), (gameId, at); the primary key is (at, id)), and
 * the table is partitioned by month on `at`: `from`/`to` let PostgreSQL skip
 * the months outside them (partition pruning), and a page reads its rows in
 * index order. The cursor is the last row's (at, id): the next page starts
 * strictly after it, so rows written meanwhile never shift a page.
 */
import type { AuditEntry, AuditPage } from "@tabula/shared/protocol";
import { z } from "zod";
import type { Db } from "../db/client.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { isAuditKind } from "./kinds.ts";

/** `<epoch ms>-<id>`: the position of the last entry of a page. */
const CURSOR = /^(\d{1,15})-(\d{1,19})$/;

/** A search: every field optional; `limit` 1..500 (default 100); `before` the `next` of the previous page. */
export const AuditQuery = z
  .object({
    /** Entries at or after this time (ISO 8601 with a zone, e.g. 2026-12-01T19:00:00Z). */
    from: z.iso.datetime({ offset: true }).optional(),
    /** Entries at or before this time. */
    to: z.iso.datetime({ offset: true }).optional(),
    /** One kind, e.g. `login`, `ratelimit.cutoff`, `admin.view_audit` (audit/kinds.ts). */
    kind: z.string().max(40).refine(isAuditKind, "not an audit event kind").optional(),
    playerId: z.uuid().optional(),
    gameId: z
      .string()
      .regex(/^[a-z0-9]{4,16}$/, "a game id")
      .optional(),
    /** Entries per page. */
    limit: z.coerce.number().int().min(1).max(500).default(100),
    /** Continue after this cursor (a previous page's `next`). */
    before: z.string().regex(CURSOR, "a cursor from a previous page's next").optional(),
  })
  .strict();

export type AuditQuery = z.infer<typeof AuditQuery>;

/**
 * What a search needs of the database: the AuditEvent model's findMany. The primary's Prisma client
 * has it, and so has the read replica's read-only client (db/reads.ts `ReadDb`).
 */
export type AuditDb = { readonly auditEvent: Pick<Db["auditEvent"], "findMany"> };

/**
 * Entries matching `query` (validated with AuditQuery: a ZodError when it
 * does not parse), newest first, at most `limit`; `next` when older ones remain.
 */
export async function searchAudit(db: AuditDb, query: z.input<typeof AuditQuery>): Promise<AuditPage> {
  const q = AuditQuery.parse(query);
  const where: Prisma.AuditEventWhereInput[] = [];
  if (q.from || q.to) where.push({ at: { gte: q.from ? new Date(q.from) : undefined, lte: q.to ? new Date(q.to) : undefined } });
  if (q.kind) where.push({ kind: q.kind });
  if (q.playerId) where.push({ playerId: q.playerId });
  if (q.gameId) where.push({ gameId: q.gameId });
  if (q.before) {
    const [, ms, id] = CURSOR.exec(q.before) as RegExpExecArray;
    const at = new Date(Number(ms));
    // (at, id) < cursor, spelled so that `at <= …` is there for the (…, at) indexes and partition pruning.
    where.push({ at: { lte: at } }, { OR: [{ at: { lt: at } }, { id: { lt: BigInt(id) } }] });
  }
  const rows = await db.auditEvent.findMany({
    where: { AND: where },
    orderBy: [{ at: "desc" }, { id: "desc" }],
    take: q.limit + 1,
  });
  const page = rows.slice(0, q.limit).map(entryOf);
  const last = rows.length > q.limit ? page.at(-1) : undefined;
  return last ? { entries: page, next: `${Date.parse(last.at)}-${last.id}` } : { entries: page };
}

interface Row {
  id: bigint;
  at: Date;
  kind: string;
  nodeId: string | null;
  playerId: string | null;
  gameId: string | null;
  ip: string | null;
  detail: unknown;
}

function entryOf(r: Row): AuditEntry {
  return {
    id: String(r.id),
    at: r.at.toISOString(),
    kind: r.kind,
    nodeId: r.nodeId,
    playerId: r.playerId,
    gameId: r.gameId,
    ip: r.ip,
    detail:
      r.detail !== null && typeof r.detail === "object" && !Array.isArray(r.detail) ? (r.detail as Record<string, unknown>) : {},
  };
}
