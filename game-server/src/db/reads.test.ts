import { createServer } from "node:net";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { Db } from "./client.ts";
import { createReads, type ReadDb, withPrimaryCredentials } from "./reads.ts";

const log = pino({ level: "silent" });
const fakePrimary = { game: { findUnique: async () => ({ id: "g1" }) } } as unknown as Db;
const fakePool = { query: async () => ({ rows: [{ lsn: "0/100" }] }) } as never;

/** A port nothing listens on (bound, then closed). */
function deadPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe("withPrimaryCredentials", () => {
  it("takes the primary's user and password when the replica's URL names none", () => {
    expect(
      withPrimaryCredentials("postgresql://tabula-db-ro:5432/tabula", "postgresql://app:s3cr%40t@tabula-db-rw:5432/tabula"),
    ).toBe("postgresql://app:s3cr%40t@tabula-db-ro:5432/tabula");
    expect(withPrimaryCredentials("postgresql://ro:pw@replica/tabula", "postgresql://app:x@primary/tabula")).toBe(
      "postgresql://ro:pw@replica/tabula",
    );
  });
});

describe("createReads", () => {
  it("without a replica, reads the primary and counts it as reason none", async () => {
    const counted: unknown[] = [];
    const reads = createReads({
      primary: fakePrimary,
      primaryPool: fakePool,
      maxLagS: 5,
      log,
      counter: { inc: (l) => counted.push(l) },
    });
    expect(await reads.read((db) => db.game.findUnique({ where: { id: "g1" } }))).toEqual({ id: "g1" });
    expect(reads.db()).toBe(fakePrimary);
    expect(counted).toEqual([{ target: "primary", reason: "none" }]);
    expect(reads.state()).toMatchObject({ configured: false, up: false });
  });

  it("with a replica that does not answer, marks it down and reads the primary", async () => {
    const counted: unknown[] = [];
    const reads = createReads({
      primary: fakePrimary,
      primaryPool: fakePool,
      replicaUrl: `postgresql://u:p@127.0.0.1:${await deadPort()}/tabula`,
      maxLagS: 5,
      checkEveryMs: 60_000,
      log,
      counter: { inc: (l) => counted.push(l) },
    });
    try {
      await reads.check();
      expect(reads.state()).toMatchObject({ configured: true, up: false, lagS: Number.POSITIVE_INFINITY });
      expect(reads.db()).toBe(fakePrimary);
      expect(await reads.read((db) => db.game.findUnique({ where: { id: "g1" } }))).toEqual({ id: "g1" });
      expect(counted).toEqual([{ target: "primary", reason: "down" }]);
    } finally {
      await reads.close();
    }
  });

  it("gives a type with reads only: no writes, no raw SQL", () => {
    const check = (db: ReadDb) => {
      // @ts-expect-error writes are not part of ReadDb
      void db.game.update;
      // @ts-expect-error nor are deletes
      void db.move.deleteMany;
      // @ts-expect-error nor raw SQL
      void db.$executeRaw;
      return db.game.findMany;
    };
    expect(check).toBeTypeOf("function");
  });
});
