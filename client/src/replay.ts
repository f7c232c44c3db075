/**
 * Replay viewer for a finished game: loads GET /api/games/:id, rebuilds every
 * position with the shared rules (seed + moves) and steps through them with
 * first / previous / next / last (and the arrow keys, and clicks on moves).
 */
import type { GameKind, Seat } from "@tabula/shared/rules";
import type { Api, GameRecord } from "./api.ts";
import type { BoardView } from "./boardView.ts";
import { GAME_NAMES, describeResult } from "./format.ts";
import { renderCard, renderMoveList } from "./gamePanel.ts";
import { replayViews } from "./rulesState.ts";
import { timeControlLabelById, timeControlsOf } from "./timeControls.ts";
import { $, setText, show } from "./ui.ts";
import type { BoardViewModel } from "./views.ts";

export interface ReplayDeps {
  api: Api;
  board: BoardView;
  enter(): void;
  exit(): void;
}

export class ReplayViewer {
  private readonly deps: ReplayDeps;
  private record: GameRecord | null = null;
  private views: unknown[] = [];
  /** Number of moves applied in the shown position (0 = start). */
  private index = 0;
  private you: Seat | null = null;
  private initialMs = 0;

  constructor(deps: ReplayDeps) {
    this.deps = deps;
    $("replay-first").addEventListener("click", () => this.go(0));
    $("replay-prev").addEventListener("click", () => this.go(this.index - 1));
    $("replay-next").addEventListener("click", () => this.go(this.index + 1));
    $("replay-last").addEventListener("click", () => this.go(this.views.length - 1));
    $("leave-replay").addEventListener("click", () => this.close());
    document.addEventListener("keydown", (e) => {
      if (!this.record || $("game-screen").dataset.mode !== "replay") return;
      if ((e.target as HTMLElement | null)?.closest("input, textarea, select")) return;
      if (e.key === "ArrowLeft") this.go(this.index - 1);
      else if (e.key === "ArrowRight") this.go(this.index + 1);
      else if (e.key === "Home") this.go(0);
      else if (e.key === "End") this.go(this.views.length - 1);
      else return;
      e.preventDefault();
    });
  }

  get isOpen(): boolean {
    return this.record !== null;
  }

  /** The position index shown (moves applied) and the total, for tests and the UI. */
  get position(): { index: number; total: number } {
    return { index: this.index, total: Math.max(0, this.views.length - 1) };
  }

  async open(gameId: string, myPlayerId: string | null): Promise<void> {
    const record = await this.deps.api.gameRecord(gameId);
    const g = record.game;
    this.record = record;
    this.views = replayViews(g.kind, g.seed, record.moves);
    this.index = this.views.length - 1;
    this.you = g.players[0].id === myPlayerId ? 0 : g.players[1].id === myPlayerId ? 1 : null;
    this.initialMs = estimateInitialMs(record);
    this.deps.board.handler = null;
    const screen = $("game-screen");
    screen.dataset.mode = "replay";
    screen.dataset.status = g.status;
    screen.dataset.role = this.you === null ? "spectator" : "player";
    show($("game-controls"), false);
    show($("replay-controls"), true);
    show($("result-dialog"), false);
    show($("reconnect-banner"), false);
    show($("countdown"), false);
    setText($("latency"), "");
    setText($("spectators"), "");
    setText($("game-title"), `Replay · ${GAME_NAMES[g.kind]} · ${timeControlLabelById(g.kind, g.timeControl)}`);
    this.deps.enter();
    await this.deps.board.ready;
    this.render(false);
  }

  close(): void {
    this.record = null;
    this.views = [];
    show($("replay-controls"), false);
    show($("game-controls"), true);
    this.deps.exit();
  }

  go(index: number): void {
    if (!this.record) return;
    const next = Math.max(0, Math.min(this.views.length - 1, index));
    if (next === this.index) return;
    const forwardOne = next === this.index + 1;
    this.index = next;
    this.render(forwardOne);
  }

  private render(animate: boolean): void {
    const rec = this.record;
    if (!rec) return;
    const g = rec.game;
    const kind: GameKind = g.kind;
    this.deps.board.show({
      kind,
      view: this.views[this.index] as BoardViewModel,
      orientation: this.you ?? 0,
      moverSeat: null,
      legalMoves: [],
      animate,
    });
    const bottom: Seat = this.you ?? 0;
    const top: Seat = bottom === 0 ? 1 : 0;
    for (const [id, p] of [
      ["player-top", top],
      ["player-bottom", bottom],
    ] as const) {
      renderCard(id, {
        name: g.players[p].name,
        isBot: g.players[p].isBot,
        seat: p,
        kind,
        you: this.you === p,
        clockMs: this.clockAt(p),
        initialMs: this.initialMs,
        running: false,
        status: "",
      });
    }
    renderMoveList(rec.moves, this.index - 1, (ply) => this.go(ply + 1));
    const total = this.views.length - 1;
    setText($("replay-position"), `${this.index} / ${total}`);
    $("replay-position").dataset.index = String(this.index);
    ($("replay-first") as HTMLButtonElement).disabled = this.index === 0;
    ($("replay-prev") as HTMLButtonElement).disabled = this.index === 0;
    ($("replay-next") as HTMLButtonElement).disabled = this.index >= total;
    ($("replay-last") as HTMLButtonElement).disabled = this.index >= total;
    const turn = $("turn-indicator");
    if (this.index === total && g.result) {
      const r = describeResult(g.result, { kind, names: [g.players[0].name, g.players[1].name], you: this.you });
      setText(turn, `${r.title} — ${r.detail}`);
      turn.dataset.turn = "over";
    } else {
      setText(turn, this.index === 0 ? "Start position" : `After move ${this.index}`);
      turn.dataset.turn = "replay";
    }
  }

  /** A seat's clock after the shown position: its last move's recorded time, or the initial time. */
  private clockAt(seat: Seat): number | null {
    const rec = this.record!;
    for (let i = this.index - 1; i >= 0; i--) {
      const m = rec.moves[i];
      if (m && m.seat === seat) return m.clockMs;
    }
    return this.initialMs > 0 ? this.initialMs : null;
  }
}

/** The initial clock of the game's time control (0 if unknown). */
function estimateInitialMs(record: GameRecord): number {
  const tc = timeControlsOf(record.game.kind).find((t) => t.id === record.game.timeControl);
  return tc ? tc.initialSeconds * 1000 : 0;
}
