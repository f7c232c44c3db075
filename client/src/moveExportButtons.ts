/**
 * The "Copy PGN" / "Download" buttons under the move list (DOM), shared by
 * the live game and the replay: whichever the game screen shows
 * (`#game-screen[data-mode]`) gives the game to export (`exportSources`).
 * What is exported is decided in moveExport.ts.
 */
import type { GameKind } from "@tabula/shared/rules";
import { t } from "./i18n/index.ts";
import { type ExportableGame, exportMoves } from "./moveExport.ts";
import { $, copyText, setText, toast } from "./ui.ts";

/** Where the game to export comes from: the live game (gameDialogs.ts) and the replay (replay.ts) each set theirs. */
export const exportSources: { live: (() => ExportableGame | null) | null; replay: (() => ExportableGame | null) | null } = {
  live: null,
  replay: null,
};

function current(): ExportableGame | null {
  const mode = $("game-screen").dataset.mode === "replay" ? "replay" : "live";
  return exportSources[mode]?.() ?? null;
}

/** Label the buttons for the game shown: PGN for chess, the move list for Connect Four. */
export function labelExportButtons(kind: GameKind): void {
  const chess = kind === "chess";
  setText($("copy-moves"), chess ? t("play:copyPgn") : t("play:copyMoves"));
  setText($("download-moves"), chess ? t("play:downloadPgn") : t("play:downloadMoves"));
  $("copy-moves").dataset.kind = kind;
}

let bound = false;

/** Wire the two buttons (idempotent: the live game and the replay both ask, whichever comes first binds). */
export function bindMoveExport(): void {
  if (bound) return;
  bound = true;
  $("copy-moves").addEventListener("click", async () => {
    const game = current();
    if (!game) return;
    const { text } = exportMoves(game, location.origin);
    const copied = await copyText(text);
    const done = game.kind === "chess" ? t("play:pgnCopied") : t("play:movesCopied");
    toast(copied ? done : t("play:copyFailed"), copied ? "success" : "error");
  });
  $("download-moves").addEventListener("click", () => {
    const game = current();
    if (!game) return;
    const { text, filename, mime } = exportMoves(game, location.origin);
    const url = URL.createObjectURL(new Blob([text], { type: mime }));
    const a = document.createElement("a");
    a.href = url;
    a.download = filename;
    a.hidden = true;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  });
}
