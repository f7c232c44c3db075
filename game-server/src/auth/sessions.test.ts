/**
 * Refresh-token rotation and reuse detection (auth/sessions.ts), over an
 * in-memory store with the PostgreSQL store's semantics: one transaction at
 * a time, its writes kept only when it resolves.
 */
import { describe, expect, it } from "vitest";
import { createRefreshSessions, hashRefreshToken, type RefreshRow, type RefreshStore, type RefreshTx } from "./sessions.ts";

function memoryStore(): RefreshStore & { rows: Map<string, RefreshRow> } {
  const rows = new Map<string, RefreshRow>();
  let queue: Promise<unknown> = Promise.resolve();
  return {
    rows,
    transaction<T>(fn: (tx: RefreshTx) => Promise<T>): Promise<T> {
      const run = queue.then(async () => {
        const draft = new Map(rows);
        const result = await fn({
          lock: async (hash) => draft.get(hash) ?? null,
          markRotated: async (hash, at) => {
            const r = draft.get(hash);
            if (r) draft.set(hash, { ...r, rotatedAt: at });
          },
          insert: async (row) => {
            if (draft.has(row.hash)) throw new Error("duplicate refresh token");
            draft.set(row.hash, { ...row, rotatedAt: null, revokedAt: null });
          },
          revokeFamily: async (familyId, at) => {
            let n = 0;
            for (const [hash, r] of draft) {
              if (r.familyId === familyId && r.revokedAt === null) {
                draft.set(hash, { ...r, revokedAt: at });
                n++;
              }
            }
            return n;
          },
        });
        rows.clear();
        for (const [k, v] of draft) rows.set(k, v);
        return result;
      });
      queue = run.catch(() => undefined);
      return run;
    },
    async revokePlayer(playerId, at) {
      const families = new Set<string>();
      for (const [hash, r] of rows) {
        if (r.playerId === playerId && r.revokedAt === null) {
          rows.set(hash, { ...r, revokedAt: at });
          families.add(r.familyId);
        }
      }
      return families.size;
    },
  };
}

const DAY = 86_400_000;

function setup() {
  let t = 1_000_000;
  const store = memoryStore();
  const sessions = createRefreshSessions(store, 30 * DAY, () => t);
  return { store, sessions, advance: (ms: number) => (t += ms) };
}

describe("refresh sessions", () => {
  it("issues 43-character base64url tokens and stores only their SHA-256", async () => {
    const { store, sessions } = setup();
    const s = await sessions.start("p1");
    expect(s.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect([...store.rows.keys()]).toEqual([hashRefreshToken(s.token)]);
    expect(JSON.stringify([...store.rows.values()])).not.toContain(s.token);
    expect(s.expiresAt).toBe(1_000_000 + 30 * DAY);
  });

  it("rotates: the presented token is marked rotated and the next one of the same family is issued", async () => {
    const { store, sessions, advance } = setup();
    const first = await sessions.start("p1");
    advance(1000);
    const r = await sessions.refresh(first.token);
    if (r.kind !== "ok") throw new Error(`expected ok, got ${r.kind}`);
    expect(r.next.familyId).toBe(first.familyId);
    expect(r.next.playerId).toBe("p1");
    expect(r.next.token).not.toBe(first.token);
    expect(r.next.expiresAt).toBe(1_001_000 + 30 * DAY);
    expect(store.rows.get(hashRefreshToken(first.token))?.rotatedAt).toBe(1_001_000);
    // The next one rotates in turn.
    const again = await sessions.refresh(r.next.token);
    expect(again.kind).toBe("ok");
  });

  it("a rotated token presented again revokes the whole family: the thief's and the owner's tokens both stop working", async () => {
    const { store, sessions } = setup();
    const first = await sessions.start("p1");
    const other = await sessions.start("p1"); // another device: another family, untouched
    const owner = await sessions.refresh(first.token);
    if (owner.kind !== "ok") throw new Error("expected ok");
    const replay = await sessions.refresh(first.token);
    expect(replay).toEqual({ kind: "reuse", playerId: "p1", familyId: first.familyId });
    for (const row of store.rows.values()) {
      if (row.familyId === first.familyId) expect(row.revokedAt).not.toBeNull();
      else expect(row.revokedAt).toBeNull();
    }
    expect((await sessions.refresh(owner.next.token)).kind).toBe("revoked");
    expect((await sessions.refresh(other.token)).kind).toBe("ok");
  });

  it("two refreshes with one token at once: one succeeds, the other is reuse and revokes the family", async () => {
    const { sessions } = setup();
    const first = await sessions.start("p1");
    const [a, b] = await Promise.all([sessions.refresh(first.token), sessions.refresh(first.token)]);
    expect([a.kind, b.kind]).toEqual(["ok", "reuse"]);
    if (a.kind === "ok") expect((await sessions.refresh(a.next.token)).kind).toBe("revoked");
  });

  it("refuses unknown and expired tokens and changes nothing", async () => {
    const { store, sessions, advance } = setup();
    const first = await sessions.start("p1");
    expect(await sessions.refresh("A".repeat(43))).toEqual({ kind: "unknown" });
    advance(30 * DAY);
    const before = JSON.stringify([...store.rows]);
    expect((await sessions.refresh(first.token)).kind).toBe("expired");
    expect(JSON.stringify([...store.rows])).toBe(before);
  });

  it("logout revokes the token's family; revokeAll every family of the player", async () => {
    const { sessions } = setup();
    const a = await sessions.start("p1");
    const b = await sessions.start("p1");
    const c = await sessions.start("p2");
    expect(await sessions.revoke(a.token)).toEqual({ playerId: "p1", familyId: a.familyId });
    expect(await sessions.revoke("B".repeat(43))).toBeUndefined();
    expect((await sessions.refresh(a.token)).kind).toBe("revoked");
    expect((await sessions.refresh(b.token)).kind).toBe("ok");
    expect(await sessions.revokeAll("p1")).toBe(1); // a's family was already revoked
    expect((await sessions.refresh(c.token)).kind).toBe("ok");
  });
});
