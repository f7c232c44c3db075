/** The archive folders: postgres must reach them, and creating them must not lock postgres out of `.data/`. */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ensureDirsForPostgres } from "./archive.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("ensureDirsForPostgres", () => {
  it("makes the backup folders private but leaves a missing parent (like .data/) traversable for the database's own folder", () => {
    const root = mkdtempSync(join(tmpdir(), "tabula-archive-"));
    dirs.push(root);
    const data = join(root, ".data"); // missing: the first backup folder's parent
    const backups = join(data, "backups");
    const wal = join(backups, "wal");
    ensureDirsForPostgres(backups, wal);
    const mode = (p: string) => statSync(p).mode & 0o777;
    expect(mode(data)).toBe(0o777 & ~process.umask());
    expect(mode(data) & 0o011).toBe(0o011 & ~process.umask()); // others may pass through to .data/postgres
    expect(mode(backups)).toBe(0o700);
    expect(mode(wal)).toBe(0o700);
  });
});
