/**
 * Human wording (pure; no DOM): move lists, results, time controls.
 */
import type { MoveRecord } from "@tabula/shared/protocol";
import type { GameKind, GameResult, ResultReason, Seat, TimeControl } from "@tabula/shared/rules";

export const GAME_NAMES: Record<GameKind, string> = { connect4: "Connect Four", chess: "Chess", battleship: "Battleship" };
export const SEAT_NAMES: Record<GameKind, readonly [string, string]> = {
  connect4: ["Red", "Yellow"],
  chess: ["White", "Black"],
  battleship: ["Blue", "Orange"],
};

export interface MoveRow {
  /** Move number (1-based). */
  number: number;
  first: { ply: number; san: string } | null;
  second: { ply: number; san: string } | null;
}

/** Pair moves into numbered rows: "1. e4 e5", "2. Nf3 …". */
export function moveRows(moves: readonly Pick<MoveRecord, "ply" | "san">[]): MoveRow[] {
  const rows: MoveRow[] = [];
  for (const m of moves) {
    const index = Math.floor(m.ply / 2);
    let row = rows[index];
    if (!row) {
      row = { number: index + 1, first: null, second: null };
      rows[index] = row;
    }
    if (m.ply % 2 === 0) row.first = { ply: m.ply, san: m.san };
    else row.second = { ply: m.ply, san: m.san };
  }
  return rows.filter(Boolean);
}

/** The move list as one line of text, e.g. "1. e4 e5 2. Nf3". */
export function moveListText(moves: readonly Pick<MoveRecord, "ply" | "san">[]): string {
  return moveRows(moves)
    .map((r) => [`${r.number}.`, r.first?.san ?? "…", r.second?.san].filter(Boolean).join(" "))
    .join(" ");
}

/** "3+2" style label: "3 min + 2 s", "30 s", "10 min". */
export function timeControlLabel(tc: Pick<TimeControl, "initialSeconds" | "incrementSeconds">): string {
  const initial =
    tc.initialSeconds >= 60 && tc.initialSeconds % 60 === 0
      ? `${tc.initialSeconds / 60} min`
      : tc.initialSeconds >= 60
        ? `${(tc.initialSeconds / 60).toFixed(1)} min`
        : `${tc.initialSeconds} s`;
  return tc.incrementSeconds > 0 ? `${initial} + ${tc.incrementSeconds} s` : initial;
}

const REASON_TEXT: Record<ResultReason, string> = {
  "connect-four": "four in a row",
  "board-full": "the board is full",
  checkmate: "checkmate",
  stalemate: "stalemate",
  "threefold-repetition": "threefold repetition",
  "fifty-move-rule": "the fifty-move rule",
  "insufficient-material": "insufficient material",
  "fleet-sunk": "the whole fleet is sunk",
  timeout: "time ran out",
  "timeout-vs-insufficient-material": "time ran out, but the opponent cannot win",
  resign: "resignation",
  abandon: "the opponent left",
  agreement: "agreement",
  aborted: "aborted",
};

export interface ResultContext {
  kind: GameKind;
  /** Player names by seat. */
  names: readonly [string, string];
  /** The viewer's seat, or null for a spectator. */
  you: Seat | null;
}

/** Title and explanation of a result, worded for the viewer. */
export function describeResult(
  result: GameResult,
  ctx: ResultContext,
): { title: string; detail: string; outcome: "win" | "loss" | "draw" | "aborted" } {
  const seatNames = SEAT_NAMES[ctx.kind];
  const who = (seat: Seat): string => (ctx.you === seat ? "You" : `${ctx.names[seat]} (${seatNames[seat]})`);
  const { winner, reason } = result;
  if (reason === "aborted") {
    return {
      title: "Game aborted",
      detail: "The game was aborted before it really began; it does not count.",
      outcome: "aborted",
    };
  }
  let outcome: "win" | "loss" | "draw";
  let title: string;
  if (winner === null) {
    outcome = "draw";
    title = "Draw";
  } else if (ctx.you === null) {
    // A spectator: name the winner (the detail adds the colour).
    outcome = "win";
    title = `${ctx.names[winner] || seatNames[winner]} wins`;
  } else {
    outcome = winner === ctx.you ? "win" : "loss";
    title = outcome === "win" ? "You won!" : "You lost";
  }
  const loser: Seat | null = winner === null ? null : winner === 0 ? 1 : 0;
  let detail: string;
  switch (reason) {
    case "connect-four":
      detail = winner === null ? "Four in a row." : `${who(winner)} connected four in a row.`;
      break;
    case "checkmate":
      detail = winner === null ? "Checkmate." : `${who(winner)} delivered checkmate.`;
      break;
    case "timeout":
      detail = loser === null ? "Time ran out." : `${who(loser)} ran out of time.`;
      break;
    case "timeout-vs-insufficient-material": {
      // The side to move flagged, but the other side had no mating material: a draw.
      detail = "Time ran out, but the other side does not have enough material to win: a draw.";
      break;
    }
    case "resign":
      detail = loser === null ? "Resignation." : `${who(loser)} resigned.`;
      break;
    case "abandon":
      detail = loser === null ? "A player left." : `${who(loser)} left the game and did not come back in time.`;
      break;
    case "agreement":
      detail = "Draw agreed by both players.";
      break;
    case "board-full":
      detail = "The board is full with no four in a row.";
      break;
    case "stalemate":
      detail = "Stalemate: the side to move has no legal move and is not in check.";
      break;
    case "threefold-repetition":
      detail = "The same position occurred three times.";
      break;
    case "fifty-move-rule":
      detail = "Fifty moves by each side without a capture or a pawn move.";
      break;
    case "insufficient-material":
      detail = "Neither side has enough material to checkmate.";
      break;
    default:
      detail = REASON_TEXT[reason as ResultReason] ?? String(reason);
  }
  return { title, detail, outcome };
}

/** Short result text for lists, e.g. "Won by checkmate", "Draw (agreement)". */
export function shortResult(result: GameResult | null, you: Seat | null, status: string): string {
  if (!result) return status === "active" ? "In progress" : status;
  const why = REASON_TEXT[result.reason] ?? result.reason;
  if (result.reason === "aborted") return "Aborted";
  if (result.winner === null) return `Draw · ${why}`;
  if (you === null) return `Seat ${result.winner + 1} won · ${why}`;
  return `${result.winner === you ? "Won" : "Lost"} · ${why}`;
}

/** How a listed game went for the viewer (`seat`, null for a stranger): a CSS class for the list. */
export function gameOutcome(
  g: { status: string; result: GameResult | null },
  seat: Seat | null,
): "win" | "loss" | "draw" | "live" | "other" {
  if (g.result && seat !== null) return g.result.winner === null ? "draw" : g.result.winner === seat ? "win" : "loss";
  return g.status === "active" ? "live" : "other";
}

/** "12 s", "3 min", "2 h" ago. */
export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s ago`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} days ago`;
}
