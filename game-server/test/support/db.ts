/** A fresh database per test file on the suite's PostgreSQL. */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";

/** Create an empty database and return its URL. */
export async function createTestDatabase(prefix = "t"): Promise<string> {
  const admin = inject("adminDatabaseUrl");
  const name = `${prefix}_${randomBytes(5).toString("hex")}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE "${name}"`);
  await client.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Run a query on `url` and return its rows. */
export async function query<T extends Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}
