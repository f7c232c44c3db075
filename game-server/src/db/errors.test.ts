/**
 * The classifier, fed real error objects: what pg and Prisma (through
 * @prisma/adapter-pg) actually throw when nothing listens on the port, and what
 * they throw for a wrong request. (Server-side SQLSTATEs — a terminated backend,
 * a constraint violation — are checked against a real PostgreSQL in
 * test/integration/takeover.test.ts.)
 */
import { createServer } from "node:net";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createDb } from "./client.ts";
import { DbUnavailableError, guard, isConnectionError } from "./errors.ts";

/** A port nothing listens on: bound by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const caught = async (fn: () => Promise<unknown>): Promise<unknown> => {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected a failure");
};

describe("database error classification", async () => {
  const url = `postgresql://nobody@127.0.0.1:${await closedPort()}/none`;
  const db = createDb(url, 1);
  afterAll(() => db.$disconnect());

  it("Prisma against a closed port: unavailable", async () => {
    const err = await caught(() => db.player.findUnique({ where: { id: "00000000-0000-0000-0000-000000000000" } }));
    expect(isConnectionError(err)).toBe(true);
    await expect(guard(() => db.$queryRaw`SELECT 1`)).rejects.toBeInstanceOf(DbUnavailableError);
  });

  it("pg against a closed port: unavailable", async () => {
    const client = new pg.Client({ connectionString: url });
    const err = await caught(() => client.connect());
    expect(err).toMatchObject({ code: "ECONNREFUSED" });
    expect(isConnectionError(err)).toBe(true);
  });

  it("a request Prisma rejects, or a plain bug: not unavailable, and rethrown as is", async () => {
    // @ts-expect-error: an invalid query on purpose (no unique field in `where`)
    const invalid = await caught(() => db.player.findUnique({ where: {} }));
    expect(isConnectionError(invalid)).toBe(false);
    const bug = new TypeError("cannot read properties of undefined");
    expect(isConnectionError(bug)).toBe(false);
    await expect(guard(() => Promise.reject(bug))).rejects.toBe(bug);
  });

  it("PostgreSQL connection SQLSTATEs and pg's code-less connection messages count; others do not", () => {
    const pgError = (code: string) => Object.assign(new Error("x"), { code, severity: "FATAL" });
    for (const code of ["08006", "08001", "57P01", "57P02", "57P03", "53300"])
      expect(isConnectionError(pgError(code))).toBe(true);
    for (const code of ["23505", "42P01", "40001", "22P02"]) expect(isConnectionError(pgError(code))).toBe(false);
    expect(isConnectionError(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(isConnectionError(new Error("timeout exceeded when trying to connect"))).toBe(true);
  });
});
