/**
 * The audit search's query validation and paging, against a fake database that
 * records the SQL (the filters themselves run on real PostgreSQL in
 * test/integration/audit.test.ts).
 */
import { describe, expect, it } from "vitest";
import { type AuditDb, AuditQuery, searchAudit } from "./search.ts";

function fakeDb(rows: unknown[]) {
  const calls: unknown[] = [];
  const db = {
    auditEvent: {
      findMany: async (args: unknown) => {
        calls.push(args);
        return rows;
      },
    },
  } as unknown as AuditDb;
  return { db, calls };
}

const row = (id: number, at: number) => ({
  id: BigInt(id),
  at: new Date(at),
  kind: "login",
  nodeId: "n1",
  playerId: null,
  gameId: null,
  ip: null,
  detail: { name: "x" },
});

describe("AuditQuery", () => {
  it("takes the operator page's query string: limit coerced, defaults to 100, 1..500", () => {
    expect(AuditQuery.parse({})).toEqual({ limit: 100 });
    expect(AuditQuery.parse({ limit: "20", kind: "ratelimit.cutoff" })).toEqual({ limit: 20, kind: "ratelimit.cutoff" });
    expect(AuditQuery.parse({ kind: "admin.view_audit" }).kind).toBe("admin.view_audit");
    for (const bad of [
      { limit: "0" },
      { limit: "501" },
      { kind: "nope" },
      { kind: "admin." },
      { from: "yesterday" },
      { playerId: "x" },
      { gameId: "DROP TABLE" },
      { before: "abc" },
      { other: 1 },
    ]) {
      expect(AuditQuery.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe("searchAudit", () => {
  it("filters by every given field, newest first (ties by id), one row more than the page", async () => {
    const { db, calls } = fakeDb([]);
    await searchAudit(db, {
      from: "2026-12-01T00:00:00Z",
      to: "2026-12-02T00:00:00Z",
      kind: "login",
      playerId: "00000000-0000-4000-8000-00000000000a",
      gameId: "abcd1234",
      limit: 10,
    });
    expect(calls[0]).toEqual({
      where: {
        AND: [
          { at: { gte: new Date("2026-12-01T00:00:00Z"), lte: new Date("2026-12-02T00:00:00Z") } },
          { kind: "login" },
          { playerId: "00000000-0000-4000-8000-00000000000a" },
          { gameId: "abcd1234" },
        ],
      },
      orderBy: [{ at: "desc" }, { id: "desc" }],
      take: 11,
    });
  });

  it("gives a cursor when more rows remain, and continues strictly after it", async () => {
    const t = Date.parse("2026-12-01T19:00:00.123Z");
    const { db, calls } = fakeDb([row(9, t), row(8, t), row(7, t - 1)]);
    const page = await searchAudit(db, { limit: 2 });
    expect(page.entries.map((e) => e.id)).toEqual(["9", "8"]);
    expect(page.entries[0]).toEqual({
      id: "9",
      at: "2026-12-01T19:00:00.123Z",
      kind: "login",
      nodeId: "n1",
      playerId: null,
      gameId: null,
      ip: null,
      detail: { name: "x" },
    });
    expect(page.next).toBe(`${t}-8`);
    await searchAudit(db, { limit: 2, before: page.next });
    const at = new Date(t);
    expect(calls[1]).toMatchObject({
      where: { AND: [{ at: { lte: at } }, { OR: [{ at: { lt: at } }, { id: { lt: 8n } }] }] },
      take: 3,
    });
  });

  it("the last page has no cursor", async () => {
    const { db } = fakeDb([row(1, 0)]);
    expect(await searchAudit(db, { limit: 2 })).toEqual({ entries: [expect.objectContaining({ id: "1" })] });
  });
});
