/**
 * The leaderboard and profile screens wired to the lobby: its "Leaderboard"
 * and "My profile" buttons, a name on the board opening that profile, a
 * profile's "Back" returning where it was opened from, and a recent game
 * opening its replay.
 */
import type { Api } from "./api.ts";
import { LeaderboardPage } from "./leaderboard.ts";
import { ProfilePage } from "./profile.ts";
import { t } from "./i18n/index.ts";
import { $, toast } from "./ui.ts";

export interface LeaderboardNavDeps {
  api: Api;
  /** Switch to one of these screens, or back to the lobby. */
  setScreen(screen: "lobby" | "leaderboard" | "profile"): void;
  /** Open a finished game's replay. */
  replay(gameId: string): Promise<void>;
}

/** Make both screens and bind the lobby's buttons to them. */
export function installLeaderboardPages(deps: LeaderboardNavDeps): void {
  let profileFrom: "lobby" | "leaderboard" = "lobby";
  const profile = new ProfilePage({
    api: deps.api,
    enter: () => deps.setScreen("profile"),
    exit: () => {
      if (profileFrom === "leaderboard") void board.open();
      else deps.setScreen("lobby");
    },
    replay: (id) => deps.replay(id),
  });
  const board = new LeaderboardPage({
    api: deps.api,
    enter: () => deps.setScreen("leaderboard"),
    exit: () => deps.setScreen("lobby"),
    openProfile: (playerId) => {
      profileFrom = "leaderboard";
      return profile.open(playerId);
    },
  });
  $("open-leaderboard").addEventListener("click", () => void board.open());
  $("open-profile").addEventListener("click", () => {
    const me = deps.api.identity;
    if (!me) return toast(t("common:notConnectedYet"), "error");
    profileFrom = "lobby";
    void profile.open(me.id);
  });
}
