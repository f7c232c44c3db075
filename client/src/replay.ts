/**
 * Replay viewer for a finished game: loads GET /api/games/:id, rebuilds every
 * position with the shared rules (seed + moves) and steps through them with
 * first / previous / next / last (and the arrow keys, and clicks on moves).
 */
import { opponentOf, type Seat } from "@tabula/shared/rules";
import type { Api } from "./api.ts";
import type { BoardView } from "./boardView.ts";
import { describeResult, gameName } from "./format.ts";
import { renderCard, renderMoveList } from "./gamePanel.ts";
import { onLanguageChange, t } from "./i18n/index.ts";
import { fromRecord } from "./moveExport.ts";
import { bindMoveExport, exportSources, labelExportButtons } from "./moveExportButtons.ts";
import { ReplayModel } from "./replayModel.ts";
import { timeControlLabelById } from "./timeControls.ts";
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
  private replay: ReplayModel | null = null;

  constructor(deps: ReplayDeps) {
    this.deps = deps;
    // "Copy PGN" / "Download" export the game replayed (moveExportButtons.ts).
    exportSources.replay = () => (this.replay ? fromRecord(this.replay.record) : null);
    bindMoveExport();
    const go = (to: (r: ReplayModel) => number) => () => this.go(to);
    $("replay-first").addEventListener(
      "click",
      go(() => 0),
    );
    $("replay-prev").addEventListener(
      "click",
      go((r) => r.index - 1),
    );
    $("replay-next").addEventListener(
      "click",
      go((r) => r.index + 1),
    );
    $("replay-last").addEventListener(
      "click",
      go((r) => r.last),
    );
    $("leave-replay").addEventListener("click", () => this.close());
    this.translate();
    onLanguageChange(() => {
      this.translate();
      if (this.replay && $("game-screen").dataset.mode === "replay") {
        this.title();
        this.render(false);
      }
    });
    document.addEventListener("keydown", (e) => {
      if (!this.replay || $("game-screen").dataset.mode !== "replay") return;
      if ((e.target as HTMLElement | null)?.closest("input, textarea, select")) return;
      const keys: Record<string, (r: ReplayModel) => number> = {
        ArrowLeft: (r) => r.index - 1,
        ArrowRight: (r) => r.index + 1,
        Home: () => 0,
        End: (r) => r.last,
      };
      const to = keys[e.key];
      if (!to) return;
      this.go(to);
      e.preventDefault();
    });
  }

  /** The replay controls' words (their markup belongs to the game screen; the words are the replay's). */
  private translate(): void {
    $("replay-first").title = t("replay:first");
    $("replay-prev").title = t("replay:prev");
    $("replay-next").title = t("replay:next");
    $("replay-last").title = t("replay:last");
    setText($("leave-replay"), t("common:backToLobby"));
  }

  /** "Replay · Chess · 3 min + 2 s" over the board. */
  private title(): void {
    const r = this.replay;
    if (!r) return;
    const g = r.record.game;
    const values = { game: gameName(g.kind), tc: timeControlLabelById(g.kind, g.timeControl) };
    setText($("game-title"), r.record.movesArchived ? t("replay:titleArchived", values) : t("replay:title", values));
  }

  get isOpen(): boolean {
    return this.replay !== null;
  }

  /** The position index shown (moves applied) and the total, for tests and the UI. */
  get position(): { index: number; total: number } {
    return { index: this.replay?.index ?? 0, total: this.replay?.last ?? 0 };
  }

  async open(gameId: string, myPlayerId: string | null): Promise<void> {
    const record = await this.deps.api.gameRecord(gameId);
    const g = record.game;
    const replay = new ReplayModel(record, myPlayerId);
    this.replay = replay;
    this.deps.board.handler = null;
    this.deps.board.attachGame(gameId, () => {
      if (this.replay === replay) this.render(false);
    });
    const screen = $("game-screen");
    screen.dataset.mode = "replay";
    screen.dataset.status = g.status;
    screen.dataset.role = replay.you === null ? "spectator" : "player";
    show($("game-controls"), false);
    show($("replay-controls"), true);
    show($("result-dialog"), false);
    show($("reconnect-banner"), false);
    show($("countdown"), false);
    setText($("latency"), "");
    setText($("spectators"), "");
    this.title();
    this.deps.enter();
    await this.deps.board.ready;
    this.render(false);
  }

  close(): void {
    this.replay = null;
    show($("replay-controls"), false);
    show($("game-controls"), true);
    this.deps.exit();
  }

  private go(to: (r: ReplayModel) => number): void {
    const r = this.replay;
    if (!r) return;
    const from = r.index;
    if (r.go(to(r))) this.render(r.index === from + 1);
  }

  private render(animate: boolean): void {
    const r = this.replay;
    if (!r) return;
    const g = r.record.game;
    // The flip button turns the board (and the cards with it) round.
    const bottom: Seat = this.deps.board.bottomSeat(g.gameId, r.you ?? 0);
    this.deps.board.show({
      kind: g.kind,
      view: r.view as BoardViewModel,
      orientation: bottom,
      moverSeat: null,
      legalMoves: [],
      animate,
    });
    for (const [id, p] of [
      ["player-top", opponentOf(bottom)],
      ["player-bottom", bottom],
    ] as const) {
      renderCard(id, {
        name: g.players[p].name,
        isBot: g.players[p].isBot,
        seat: p,
        kind: g.kind,
        you: r.you === p,
        clockMs: r.clockAt(p),
        initialMs: r.initialMs,
        running: false,
        status: "",
      });
    }
    renderMoveList(r.record.moves, r.index - 1, (ply) => this.go(() => ply + 1));
    labelExportButtons(g.kind);
    setText($("replay-position"), `${r.index} / ${r.last}`);
    $("replay-position").dataset.index = String(r.index);
    for (const id of ["replay-first", "replay-prev"]) ($(id) as HTMLButtonElement).disabled = r.index === 0;
    for (const id of ["replay-next", "replay-last"]) ($(id) as HTMLButtonElement).disabled = r.index >= r.last;
    const turn = $("turn-indicator");
    if (r.index === r.last && g.result) {
      const d = describeResult(g.result, { kind: g.kind, names: [g.players[0].name, g.players[1].name], you: r.you });
      setText(turn, t("replay:result", { title: d.title, detail: d.detail }));
      turn.dataset.turn = "over";
    } else {
      setText(turn, r.index === 0 ? t("replay:start") : t("replay:afterMove", { n: r.index }));
      turn.dataset.turn = "replay";
    }
  }
}
