/**
 * Entry point: identity, screens (lobby / waiting / game / replay), links
 * (?invite=CODE, ?watch=GAMEID), the online counter and the test hooks.
 */
import "./noEval.ts"; // first: before any module that parses with zod
import "./style.css";
import { Api, ApiError, errorText, type Stats } from "./api.ts";
import { backoffDelay } from "./backoff.ts";
import { BoardView } from "./boardView.ts";
import { apiBase } from "./endpoint.ts";
import { GameScreen } from "./gameScreen.ts";
import { initI18n, onLanguageChange, t, translateDom } from "./i18n/index.ts";
import { installLanguageSwitch } from "./languageSwitch.ts";
import { installLeaderboardPages } from "./leaderboardNav.ts";
import { prefetchLazyChunks, whenIdle } from "./lazyChunks.ts";
import { Lobby, type LobbyTab } from "./lobby.ts";
import { sleep } from "./matchmaking.ts";
import { askPassword, withPassword } from "./privateGame.ts";
import { ReplayViewer } from "./replay.ts";
import { forgetStoredGame, storedGame } from "./storedGame.ts";
import { installSoundToggle } from "./soundToggle.ts";
import { StatsTicker, statsText } from "./stats.ts";
import { installTestHooks, type Screen } from "./testHooks.ts";
import { $, setText, show, toast } from "./ui.ts";

/** How often an open, visible page tells the server it is still here (under the server's 90 s online window), ms. */
const STILL_HERE_MS = 60_000;

initI18n();
translateDom(document);
installLanguageSwitch($("lang-switch"));
installSoundToggle();

const api = new Api(apiBase(import.meta.env.VITE_SERVER_URL as string | undefined));
const board = new BoardView($("board"));
let screen: Screen = "lobby";

function setScreen(next: Screen): void {
  screen = next;
  document.body.dataset.screen = next;
  show($("lobby-screen"), next === "lobby");
  show($("waiting-screen"), next === "waiting");
  show($("game-screen"), next === "game" || next === "replay");
  show($("leaderboard-screen"), next === "leaderboard");
  show($("profile-screen"), next === "profile");
  lobby.setShown(next === "lobby");
  if (next === "game" || next === "replay") {
    board.refresh();
    requestAnimationFrame(() => board.refresh());
  }
  if (next === "lobby") show($("reconnect-banner"), false);
}

/** Drop ?watch= from the address once that game is left (a reload must not open it again). */
function forgetWatchLink(): void {
  const params = new URLSearchParams(location.search);
  if (!params.has("watch")) return;
  params.delete("watch");
  const search = params.toString();
  history.replaceState(history.state, "", `${location.pathname}${search ? `?${search}` : ""}${location.hash}`);
}

/** The counts last shown (undefined: none yet), drawn again in another language. */
let lastStats: Stats | null | undefined;

function showStats(s: Stats | null): void {
  lastStats = s;
  const el = $("online-count");
  setText(el, statsText(s));
  el.dataset.players = s ? String(s.playersOnline) : "";
  el.dataset.games = s ? String(s.gamesLive) : "";
  // The phone's top bar shows this shorter form (styles/i18n.css); the text keeps the whole sentence.
  el.dataset.short = s ? t("common:statsShort", { online: s.playersOnline, games: s.gamesLive }) : t("common:offline");
  el.title = s ? t("common:servedBy", { node: s.node }) : t("common:unreachable");
}

const stats = new StatsTicker({
  fetch: () => api.stats(),
  show(s) {
    showStats(s);
    if (s) lobby.setLiveCountFromStats(s.gamesLive);
  },
});
onLanguageChange(() => {
  if (lastStats !== undefined) showStats(lastStats);
  showBootStatus();
});

const game = new GameScreen({
  api,
  board,
  countsChanged: () => void stats.refresh(),
  enter: () => setScreen("game"),
  exit: (tab?: LobbyTab) => {
    forgetWatchLink();
    if (tab) lobby.showTab(tab);
    setScreen("lobby");
    void lobby.loadMyGames();
  },
});

const replay = new ReplayViewer({
  api,
  board,
  enter: () => setScreen("replay"),
  exit: () => setScreen("lobby"),
});

async function playGame(gameId: string, spectate = false): Promise<void> {
  try {
    if (!spectate) return await game.open(gameId);
    // A private game asks a spectator for its password (again after a wrong one); Cancel: back to the lobby.
    const watched = await withPassword(
      (password) => game.open(gameId, true, password),
      (problem) => askPassword(t("common:watchPrivate"), problem),
    );
    if (watched === null) await game.leaveToLobby("watch");
  } catch (err) {
    setScreen("lobby");
    throw err;
  }
}

const lobby = new Lobby({
  api,
  setScreen: (s) => setScreen(s),
  playGame: (id) => playGame(id),
  watchGame: (id) => playGame(id, true),
  replay: async (id) => {
    await game.close();
    await replay.open(id, api.identity?.id ?? null);
  },
});

// The leaderboard and profile screens, opened from the lobby (leaderboardNav.ts).
installLeaderboardPages({ api, setScreen, replay: (id) => replay.open(id, api.identity?.id ?? null) });

api.onIdentity = (id) => lobby.showIdentity(id);

installTestHooks({
  screen: () => screen,
  snapshot: () => (screen === "game" ? game.current : null),
  latencyMs: () => game.latencyMs,
  board,
});

/** What the boot line says: nothing, still connecting, or why the page cannot start. */
let bootProblem: { err: unknown } | "connecting" | null = null;

function showBootStatus(): void {
  const el = $("boot-status");
  if (bootProblem === null) {
    show(el, false);
    return;
  }
  setText(
    el,
    bootProblem === "connecting" ? t("common:connecting") : t("common:cannotStart", { reason: errorText(bootProblem.err) }),
  );
  show(el, true);
}

/** Get an identity, retrying while the server is unreachable. */
async function identify(): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await api.ensureIdentity();
      bootProblem = null;
      showBootStatus();
      return;
    } catch (err) {
      const retryable = !(err instanceof ApiError) || err.status === 0 || err.status >= 500;
      bootProblem = retryable ? "connecting" : { err };
      showBootStatus();
      // The counts say "offline" meanwhile (they wait for the identity: see boot).
      if (attempt === 0) void stats.refresh();
      if (!retryable) throw err;
      await sleep(backoffDelay(attempt));
    }
  }
}

async function boot(): Promise<void> {
  lobby.showTab(location.hash === "#watch" ? "watch" : "play");
  setScreen("lobby");
  window.addEventListener("online", () => void stats.refresh());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") void stats.refresh();
  });
  // The first counts wait for the identity: asked before it, they would leave out the player who is looking
  // at them (a new guest does not exist yet). From here on each stats request also says this player is here.
  await identify();
  // The lobby is usable: now fetch the game engine and Chart.js in the background (lazyChunks.ts),
  // so the first game does not wait for them.
  whenIdle(() => prefetchLazyChunks());
  void stats.refresh();
  // And still counted while the page stays open in the lobby (the server's window is 90 s).
  setInterval(() => {
    if (document.visibilityState === "visible") void api.stillHere().catch(() => {});
  }, STILL_HERE_MS);
  const params = new URLSearchParams(location.search);
  const watch = params.get("watch");
  const invite = params.get("invite");
  const stored = storedGame();
  if (watch) {
    try {
      await playGame(watch, true);
      return;
    } catch (err) {
      toast(t("common:cannotWatch", { gameId: watch, reason: errorText(err) }), "error");
    }
  } else if (invite) {
    void lobby.offerInvite(invite);
  } else if (stored) {
    try {
      await playGame(stored.gameId, stored.spectate);
      return;
    } catch {
      forgetStoredGame();
    }
  }
  await lobby.loadMyGames();
}

void boot().catch((err) => {
  console.error(err);
  toast(errorText(err), "error", 10_000);
});
