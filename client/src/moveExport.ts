/**
 * A game's moves as text to copy or download (pure): a chess game as PGN
 * (the seven-tag roster's Event, Site, Date, White, Black, Result, plus
 * TimeControl and Termination; the moves in SAN as the shared rules wrote
 * them), a Connect Four game as its move list ("d1 e1 d2 …").
 */
import type { GameSnapshot, GameStatus, GameSummary, MoveRecord } from "@tabula/shared/protocol";
import type { GameKind, GameResult } from "@tabula/shared/rules";

/** What an export needs of a game: a live game's snapshot and a finished game's record both have it. */
export interface ExportableGame {
  gameId: string;
  kind: GameKind;
  /** Time control id, "minutes+seconds" ("3+2"). */
  timeControl: string;
  rated: boolean;
  players: readonly [{ name: string }, { name: string }];
  status: GameStatus;
  result: GameResult | null;
  moves: readonly Pick<MoveRecord, "san" | "at">[];
  /** When the game started (epoch ms), if known; else its first move's time, else now. */
  startedAt?: number;
}

/** The text to copy or download, its file name and its media type. */
export interface ExportedMoves {
  text: string;
  filename: string;
  mime: string;
}

/** PGN result: "1-0", "0-1", "1/2-1/2", or "*" for a game in progress or aborted. */
export function pgnResult(status: GameStatus, result: GameResult | null): string {
  if (status !== "finished" || !result) return "*";
  if (result.winner === null) return "1/2-1/2";
  return result.winner === 0 ? "1-0" : "0-1";
}

/** PGN's Termination tag for how the game ended (PGN standard 9.8.1). */
function termination(status: GameStatus, result: GameResult | null): string {
  if (status === "active" || !result) return "unterminated";
  switch (result.reason) {
    case "timeout":
    case "timeout-vs-insufficient-material":
      return "time forfeit";
    case "abandon":
    case "aborted":
      return "abandoned";
    default:
      return "normal";
  }
}

/** PGN's TimeControl tag: "180+2" (seconds + increment seconds) from a "3+2" id; "-" if unknown. */
export function pgnTimeControl(id: string): string {
  const m = /^(\d+)\+(\d+)$/.exec(id);
  return m ? `${Number(m[1]) * 60}+${Number(m[2])}` : "-";
}

/** A tag value with PGN's escapes (backslash and quote). */
function tag(name: string, value: string): string {
  return `[${name} "${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"]`;
}

/** "2026.12.02" (UTC). */
function pgnDate(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}.${pad(d.getUTCMonth() + 1)}.${pad(d.getUTCDate())}`;
}

/** Movetext tokens, wrapped under 80 characters per line (PGN export format). */
function wrap(tokens: readonly string[]): string {
  const lines: string[] = [];
  let line = "";
  for (const t of tokens) {
    if (line && line.length + 1 + t.length > 79) {
      lines.push(line);
      line = t;
    } else line = line ? `${line} ${t}` : t;
  }
  if (line) lines.push(line);
  return lines.join("\n");
}

/** The game as PGN. `site`: where it was played (the page's origin). */
export function toPgn(g: ExportableGame, site: string, now = Date.now()): string {
  const result = pgnResult(g.status, g.result);
  const started = g.startedAt ?? g.moves[0]?.at ?? now;
  const tags = [
    tag("Event", g.rated ? "Rated game" : "Casual game"),
    tag("Site", `${site}/?watch=${g.gameId}`),
    tag("Date", pgnDate(started)),
    tag("Round", "-"),
    tag("White", g.players[0].name),
    tag("Black", g.players[1].name),
    tag("Result", result),
    tag("TimeControl", pgnTimeControl(g.timeControl)),
  ];
  tags.push(tag("Termination", termination(g.status, g.result)));
  const tokens: string[] = [];
  g.moves.forEach((m, i) => {
    if (i % 2 === 0) tokens.push(`${i / 2 + 1}.`);
    tokens.push(m.san);
  });
  tokens.push(result);
  return `${tags.join("\n")}\n\n${wrap(tokens)}\n`;
}

/** A Connect Four game's move list: each disc as its column letter and landing row, "d1 e1 d2". */
export function connect4MoveList(moves: readonly Pick<MoveRecord, "san">[]): string {
  return moves.map((m) => m.san).join(" ");
}

/** What "copy" and "download" give for this game: PGN for chess, the move list for Connect Four. */
export function exportMoves(g: ExportableGame, site: string, now = Date.now()): ExportedMoves {
  if (g.kind === "chess")
    return { text: toPgn(g, site, now), filename: `tabula-${g.gameId}.pgn`, mime: "application/x-chess-pgn" };
  return { text: `${connect4MoveList(g.moves)}\n`, filename: `tabula-${g.gameId}.txt`, mime: "text/plain" };
}

/** A live game (its snapshot, every move folded in) as an export. */
export function fromSnapshot(s: GameSnapshot): ExportableGame {
  return {
    gameId: s.gameId,
    kind: s.kind,
    timeControl: s.timeControl.id,
    rated: s.rated,
    players: s.players,
    status: s.status,
    result: s.result,
    moves: s.moves,
  };
}

/** A stored game (GET /api/games/:id, the replay's) as an export. */
export function fromRecord(r: { game: GameSummary & { rated?: boolean }; moves: MoveRecord[] }): ExportableGame {
  const g = r.game;
  return {
    gameId: g.gameId,
    kind: g.kind,
    timeControl: g.timeControl,
    rated: g.rated === true,
    players: g.players,
    status: g.status,
    result: g.result,
    moves: r.moves,
    startedAt: g.createdAt,
  };
}
