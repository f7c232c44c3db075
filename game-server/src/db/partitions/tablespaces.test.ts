import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type pg from "pg";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../log.ts";
import { ensureTablespaces, parseTablespaces, TablespaceError, tablespacesBeside } from "./tablespaces.ts";

const log = createLogger({ level: "silent", json: true, nodeId: "t" });

/** A client whose server has the tablespaces `have` and records every statement. */
function fakeClient(have: string[]) {
  const sent: string[] = [];
  const client = {
    async query(sql: string) {
      sent.push(sql);
      if (sql.startsWith("SELECT spcname")) return { rows: have.map((name) => ({ name, location: `/x/${name}` })) };
      return { rows: [] };
    },
  };
  return { client: client as unknown as pg.Client, sent };
}

describe("TABLESPACES", () => {
  it("reads managed, or all three names with their directories", () => {
    expect(parseTablespaces("managed")).toEqual({ managed: true });
    expect(parseTablespaces("moves_b=/b, moves_a=/a,moves_c=rel/c")).toEqual({
      managed: false,
      dirs: { moves_a: "/a", moves_b: "/b", moves_c: "rel/c" },
    });
  });

  it("refuses unknown names, repeats, missing ones and quotes", () => {
    expect(() => parseTablespaces("moves_a=/a,moves_b=/b")).toThrow("missing moves_c");
    expect(() => parseTablespaces("moves_a=/a,moves_a=/b,moves_c=/c")).toThrow(/each once/);
    expect(() => parseTablespaces("moves_d=/a,moves_b=/b,moves_c=/c")).toThrow(/not one of/);
    expect(() => parseTablespaces("moves_a=/a',moves_b=/b,moves_c=/c")).toThrow(/quotes/);
    expect(() => parseTablespaces("")).toThrow();
  });

  it("defaults beside the data directory, never inside it", () => {
    const { dirs } = tablespacesBeside("/srv/tabula/.data/postgres") as { dirs: Record<string, string> };
    expect(dirs).toEqual({
      moves_a: "/srv/tabula/.data/postgres-tablespaces/moves_a",
      moves_b: "/srv/tabula/.data/postgres-tablespaces/moves_b",
      moves_c: "/srv/tabula/.data/postgres-tablespaces/moves_c",
    });
  });
});

describe("ensureTablespaces", () => {
  it("managed: checks only; a missing one is a TablespaceError naming it and what to do", async () => {
    const ok = fakeClient(["moves_a", "moves_b", "moves_c"]);
    expect(await ensureTablespaces(ok.client, { managed: true }, log)).toEqual([]);
    const missing = fakeClient(["moves_a"]);
    const err = await ensureTablespaces(missing.client, { managed: true }, log).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TablespaceError);
    expect((err as Error).message).toMatch(/no tablespace moves_b, moves_c: with TABLESPACES=managed/);
    expect(missing.sent.some((s) => s.startsWith("CREATE TABLESPACE"))).toBe(false);
  });

  it("with directories: creates only the missing ones, where configured", async () => {
    const { client, sent } = fakeClient(["moves_a", "moves_c"]);
    const root = mkdtempSync(join(tmpdir(), "tabula-ts-"));
    try {
      const dirs = { moves_a: join(root, "a"), moves_b: join(root, "b"), moves_c: join(root, "c") };
      expect(await ensureTablespaces(client, { managed: false, dirs }, log)).toEqual(["moves_b"]);
      expect(sent.filter((s) => s.startsWith("CREATE"))).toEqual([`CREATE TABLESPACE moves_b LOCATION '${dirs.moves_b}'`]);
      expect(existsSync(dirs.moves_b)).toBe(true);
      expect(existsSync(dirs.moves_a)).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
