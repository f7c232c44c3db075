/**
 * docs/protocol.md is the contract third-party clients are written from: it
 * must list exactly what the code has — every room error code, HTTP error code
 * (with its status), close code, message type in both directions and view
 * field — and nothing that does not exist. The tables are parsed, so a code
 * merely mentioned in prose does not count as documented.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  CLOSE_CODES,
  ClientMessages,
  ERROR_CODES,
  HTTP_ERRORS,
  ROOM_ERRORS,
  SERVER_MESSAGE_TYPES,
} from "@tabula/shared/protocol";
import * as protocol from "@tabula/shared/protocol";
import { GAMES, type GameKind, replay } from "@tabula/shared/rules";
import { describe, expect, it } from "vitest";
import { ENV_SCHEMA } from "../../src/config.ts";
import { type ApiDeps, createApi } from "../../src/http/api.ts";
import { leadingCode, type Row, tableUnder } from "./markdown.ts";

const REPO_ROOT = resolve(fileURLToPath(import.meta.url), "../../../..");
const doc = readFileSync(join(REPO_ROOT, "docs/protocol.md"), "utf8");

/** The first code span of `column` in every row (each row must have one). */
function codes(rows: Row[], column: string): string[] {
  return rows.map((r) => {
    const c = leadingCode(r[column] ?? "");
    if (c === null) throw new Error(`row without a \`code\` in column "${column}": ${JSON.stringify(r)}`);
    return c;
  });
}

const sorted = (xs: Iterable<string>) => [...xs].sort();

describe("docs/protocol.md matches the protocol package", () => {
  it("documents every room error code, with the code's meaning, and no other", () => {
    const rows = tableUnder(doc, "Room error codes");
    expect(sorted(codes(rows, "code"))).toEqual(sorted(ERROR_CODES));
    for (const r of rows) expect(r.meaning, r.code).toBe(ROOM_ERRORS[leadingCode(r.code) as keyof typeof ROOM_ERRORS]);
  });

  it("documents every HTTP error code with its status and meaning, and no other", () => {
    const rows = tableUnder(doc, "HTTP error codes");
    expect(sorted(codes(rows, "code"))).toEqual(sorted(Object.keys(HTTP_ERRORS)));
    for (const r of rows) {
      const spec = HTTP_ERRORS[leadingCode(r.code) as keyof typeof HTTP_ERRORS];
      expect({ status: Number(r.status), meaning: r.meaning }, r.code).toEqual({ status: spec.status, meaning: spec.meaning });
    }
  });

  it("documents every close code under its name, and no other", () => {
    const rows = tableUnder(doc, "Close codes");
    const documented = Object.fromEntries(rows.map((r) => [leadingCode(r.name), Number(leadingCode(r.code))]));
    expect(documented).toEqual({ ...CLOSE_CODES });
  });

  it("documents every client → server message type, and no other", () => {
    expect(sorted(codes(tableUnder(doc, "Client → server messages"), "type"))).toEqual(sorted(Object.keys(ClientMessages)));
  });

  it("documents every server → client message type, and no other", () => {
    expect(sorted(codes(tableUnder(doc, "Server → client messages"), "type"))).toEqual(sorted(SERVER_MESSAGE_TYPES));
  });

  it("documents every field of each game's view, and no other", () => {
    // Positions that between them show every field a view can have (Connect Four's
    // winningLine only exists after a win).
    const samples: Record<GameKind, string[][]> = {
      connect4: [[], ["3"], ["0", "1", "0", "1", "0", "1", "0"]],
      chess: [[], ["e2e4"], ["f2f3", "e7e5", "g2g4", "d8h4"]],
      battleship: [[], ["a1h,a3v,c3h,j1v,g9h", "f10h,b3v,d5h,h2v,a1h", "a1"]],
    };
    const headings: Record<GameKind, string> = {
      connect4: 'Connect Four view (`kind: "connect4"`)',
      chess: 'Chess view (`kind: "chess"`)',
      battleship: 'Battleship view (`kind: "battleship"`)',
    };
    for (const kind of Object.keys(GAMES) as GameKind[]) {
      const def = GAMES[kind];
      const fields = new Set<string>();
      for (const moves of samples[kind]) {
        const r = replay(def, "docs-seed", moves);
        if (!r.ok) throw new Error(`sample ${moves.join(" ")} of ${kind} is not legal: ${r.error.message}`);
        for (const k of Object.keys(def.view(r.state, null) as object)) fields.add(k);
      }
      const rows = tableUnder(doc, headings[kind]);
      expect(sorted(codes(rows, "field")), kind).toEqual(sorted(fields));
    }
  });

  it("documents every HTTP route under /api, and no other", () => {
    // Routes as the API registers them (nothing is called: handlers only run on requests).
    const api = createApi({ rateLimits: { apiPerMin: 1, guestPerMin: 1 } } as ApiDeps) as unknown as {
      stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }>;
    };
    const param = (path: string) => path.replace(/:[A-Za-z]+|<[^>]+>/g, "*");
    const registered = api.stack.flatMap((l) =>
      l.route ? Object.keys(l.route.methods).map((m) => `${m.toUpperCase()} ${param(`/api${l.route?.path}`)}`) : [],
    );
    // Routes as the page names them: `GET /api/games/<gameId>` (query strings aside).
    const documented = [...doc.matchAll(/`(GET|POST|PUT|PATCH|DELETE) (\/api\/[^`?\s]*)/g)].map((m) => `${m[1]} ${param(m[2])}`);
    expect(registered.length).toBeGreaterThan(10);
    expect(sorted(new Set(documented))).toEqual(sorted(new Set(registered)));
  });

  it("names no code, message type or setting that does not exist", () => {
    // Every UPPER_SNAKE code span in the page must be a known code, protocol export or configuration variable.
    const known = new Set<string>([
      ...ERROR_CODES,
      ...Object.keys(HTTP_ERRORS),
      ...Object.keys(CLOSE_CODES),
      ...Object.keys(ENV_SCHEMA.shape),
      ...Object.keys(protocol), // the exported names of the protocol package (ROOM_ERRORS…)
      "PING", // Colyseus' ping frame (Liveness)
      "ERROR", // Colyseus' error frame (Refused joins)
    ]);
    const spans = [...doc.matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{4,})`/g)].map((m) => m[1]);
    expect(spans.length).toBeGreaterThan(20);
    expect(spans.filter((s) => !known.has(s))).toEqual([]);
  });
});
