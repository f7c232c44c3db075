// @vitest-environment happy-dom
import type { GameSummary, TicketResponse } from "@tabula/shared/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type Api, ApiError } from "./api.ts";
import type { LiveGame } from "./liveGames.ts";
import { setLanguage } from "./i18n/index.ts";
import { Lobby } from "./lobby.ts";
import { click, hidden, loadPage, text } from "./testing/dom.ts";

const ticket = (over: Partial<TicketResponse> = {}): TicketResponse => ({
  ticket: "t1",
  status: "waiting",
  game: "connect4",
  timeControl: "1+5",
  ...over,
});

const summary = (over: Partial<GameSummary> = {}): GameSummary => ({
  gameId: "g1",
  kind: "connect4",
  timeControl: "1+5",
  mode: "quick",
  status: "finished",
  players: [
    { id: "me", name: "Me", isBot: false },
    { id: "b", name: "Bob", isBot: true },
  ],
  ply: 7,
  result: { winner: 0, reason: "connect-four" },
  createdAt: 0,
  endedAt: Date.now() - 120_000,
  ...over,
});

const live = (over: Partial<LiveGame> = {}): LiveGame => ({
  gameId: "L1",
  kind: "chess",
  timeControl: "3+2",
  players: [
    { name: "Ann", isBot: false },
    { name: "Bot", isBot: true },
  ],
  spectators: 2,
  node: "n1",
  createdAt: Date.now() - 60_000,
  private: false,
  ...over,
});

function setup(api: Partial<Record<keyof Api, unknown>> = {}, keepStorage = false) {
  loadPage();
  if (!keepStorage) localStorage.clear();
  const screens: string[] = [];
  const played: string[] = [];
  const replayed: string[] = [];
  const watched: string[] = [];
  const fake = {
    identity: { id: "me", name: "Me", token: "tok" },
    token: "tok",
    url: (p: string) => `/api${p}`,
    quickPlay: vi.fn(async () => ticket()),
    createInvite: vi.fn(async () => ticket({ inviteCode: "ABC123" })),
    botGame: vi.fn(async () => ({ gameId: "bot1" })),
    pollTicket: vi.fn(async () => ticket({ status: "matched", gameId: "m1" })),
    cancelTicket: vi.fn(async () => ticket({ status: "cancelled" })),
    inviteInfo: vi.fn(async () => ({ code: "ABC123", game: "chess", timeControl: "3+2", host: { name: "Host" } })),
    acceptInvite: vi.fn(async () => ({ gameId: "inv1" })),
    myGames: vi.fn(async () => ({ games: [summary(), summary({ gameId: "g2", status: "active", result: null })] })),
    newGuest: vi.fn(async (name: string) => ({ id: "me2", name, token: "t2" })),
    liveGames: vi.fn(async () => [live()]),
    ...api,
  };
  const lobby = new Lobby({
    api: fake as unknown as Api,
    setScreen: (s) => screens.push(s),
    playGame: async (id) => void played.push(id),
    replay: async (id) => void replayed.push(id),
    watchGame: async (id) => void watched.push(id),
  });
  return { lobby, api: fake, screens, played, replayed, watched };
}

const flush = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => vi.useFakeTimers({ toFake: ["setTimeout", "setInterval", "clearTimeout", "clearInterval", "Date"] }));
afterEach(() => vi.useRealTimers());

describe("Lobby: play", () => {
  it("fills games and time controls, and remembers the choice", () => {
    setup();
    const game = document.getElementById("game-select") as HTMLSelectElement;
    expect([...game.options].map((o) => o.value)).toEqual(["connect4", "chess"]);
    game.value = "chess";
    game.dispatchEvent(new Event("change"));
    const tc = document.getElementById("tc-select") as HTMLSelectElement;
    expect(tc.options[0]!.textContent).toMatch(/\(default\)$/);
    expect(JSON.parse(localStorage.getItem("tabula.choice")!)).toEqual({ game: "chess", timeControl: tc.value });
    setup({}, true);
    expect((document.getElementById("game-select") as HTMLSelectElement).value).toBe("chess");
  });

  it("quick play waits on the waiting screen, then plays the matched game", async () => {
    const t = setup();
    click("quick-play");
    await flush();
    expect(t.screens).toContain("waiting");
    expect(text("waiting-title")).toBe("Looking for an opponent…");
    expect(hidden("invite-box")).toBe(true);
    await flush();
    expect(t.played).toEqual(["m1"]);
    expect(t.lobby.isWaiting).toBe(false);
  });

  it("an invite shows its code and link; cancel withdraws it", async () => {
    const t = setup({ pollTicket: vi.fn(() => new Promise(() => {})) });
    click("create-invite");
    await flush();
    expect(text("waiting-title")).toBe("Waiting for your friend to join…");
    expect(text("invite-code-display")).toBe("ABC123");
    expect((document.getElementById("invite-link") as HTMLInputElement).value).toMatch(/\?invite=ABC123$/);
    expect(t.lobby.isWaiting).toBe(true);
    await vi.advanceTimersByTimeAsync(2100);
    expect(text("waiting-elapsed")).toBe("2 s");
    click("cancel");
    await flush();
    expect(t.api.cancelTicket).toHaveBeenCalledWith("t1");
    expect(t.screens.at(-1)).toBe("lobby");
  });

  it("a cancel that arrives after the match plays the game", async () => {
    const t = setup({
      pollTicket: vi.fn(() => new Promise(() => {})),
      cancelTicket: vi.fn(async () => ticket({ status: "matched", gameId: "late" })),
    });
    click("quick-play");
    await flush();
    click("cancel");
    await flush();
    expect(t.played).toEqual(["late"]);
  });

  it("an expired ticket goes back to the lobby and says so", async () => {
    const t = setup({ pollTicket: vi.fn(async () => ticket({ status: "expired" })) });
    click("quick-play");
    await flush();
    await flush();
    expect(t.screens.at(-1)).toBe("lobby");
    expect(text("toast")).toBe("Nobody came in time; try again.");
  });

  it("a bot game starts at once; errors are shown", async () => {
    const t = setup();
    (document.getElementById("bot-level") as HTMLSelectElement).value = "hard";
    click("play-bot");
    await flush();
    expect(t.played).toEqual(["bot1"]);
    expect(t.api.botGame).toHaveBeenCalledWith("connect4", expect.any(String), "hard");
    const f = setup({ quickPlay: vi.fn(async () => Promise.reject(new ApiError(503, "UNAVAILABLE", "try again"))) });
    click("quick-play");
    await flush();
    expect(text("toast")).toBe("The server is busy: nothing was changed. Try again."); // UNAVAILABLE in words
    expect(f.played).toEqual([]);
  });

  it("an invite link shows who invites; joining it plays the game", async () => {
    const t = setup();
    await t.lobby.offerInvite("abc-123");
    expect((document.getElementById("invite-code") as HTMLInputElement).value).toBe("ABC123");
    expect(text("invite-info")).toBe("Host invites you to Chess · 3 min + 2 s");
    document.getElementById("join-form")!.dispatchEvent(new Event("submit"));
    await flush();
    expect(t.played).toEqual(["inv1"]);
    const gone = setup({ inviteInfo: vi.fn(async () => Promise.reject(new ApiError(404, "NO_INVITE", "no"))) });
    await gone.lobby.offerInvite("ZZZ999");
    expect(text("invite-info")).toBe("Invite ZZZ999 is no longer open.");
  });

  it("checks the invite code and the name before asking the server", async () => {
    const t = setup();
    const code = document.getElementById("invite-code") as HTMLInputElement;
    code.value = "ab";
    code.dispatchEvent(new Event("input"));
    document.getElementById("join-form")!.dispatchEvent(new Event("submit"));
    await flush();
    expect(text("toast")).toBe("An invite code has 6 letters and digits.");
    expect(t.api.acceptInvite).not.toHaveBeenCalled();
    (document.getElementById("name") as HTMLInputElement).value = "x";
    document.getElementById("name-form")!.dispatchEvent(new Event("submit"));
    await flush();
    expect(t.api.newGuest).not.toHaveBeenCalled();
    (document.getElementById("name") as HTMLInputElement).value = "Zoe";
    document.getElementById("name-form")!.dispatchEvent(new Event("submit"));
    await flush();
    expect(t.api.newGuest).toHaveBeenCalledWith("Zoe", { suggest: true });
    expect(text("toast")).toBe("You are now Zoe.");
  });
});

describe("Lobby: a taken name", () => {
  it("offers the server's suggestion instead of renaming, takes it on a click, and says it in the page's language", async () => {
    const newGuest = vi.fn(async (name: string) => {
      if (name === "Zoe") throw new ApiError(409, "NAME_TAKEN", "the name Zoe is taken", undefined, "Zoe-2");
      return { id: "me2", name, token: "t2" };
    });
    setup({ newGuest });
    const input = document.getElementById("name") as HTMLInputElement;
    input.value = "Zoe";
    document.getElementById("name-form")!.dispatchEvent(new Event("submit"));
    await flush();
    expect(hidden("name-suggestion")).toBe(false);
    expect(text("name-suggestion-text")).toBe("“Zoe” is taken — use “Zoe-2”?");
    expect(text("use-suggestion")).toBe("Use “Zoe-2”");
    expect(text("toast")).not.toContain("You are now");
    // The page switches to French: the offer follows.
    await setLanguage("fr");
    expect(text("name-suggestion-text")).toBe("«\u00a0Zoe\u00a0» est déjà pris — prendre «\u00a0Zoe-2\u00a0»\u202f?");
    await setLanguage("en");
    click("use-suggestion");
    await flush();
    expect(newGuest).toHaveBeenLastCalledWith("Zoe-2", { suggest: true });
    expect(input.value).toBe("Zoe-2");
    expect(hidden("name-suggestion")).toBe(true);
    expect(text("toast")).toBe("You are now Zoe-2.");
  });
});

describe("Lobby: my games", () => {
  it("lists my games with Replay or Resume", async () => {
    const t = setup();
    await t.lobby.loadMyGames();
    const items = [...document.querySelectorAll<HTMLElement>("#games-list li[data-game-id]")];
    expect(items.map((li) => li.dataset.status)).toEqual(["finished", "active"]);
    expect(items[0]!.textContent).toContain("vs Bob (bot)");
    expect(items[0]!.className).toContain("win");
    expect(items[0]!.textContent).toContain("7 moves · 2 minutes ago");
    items[0]!.querySelector<HTMLButtonElement>("button[data-action=replay]")!.click();
    items[1]!.querySelector<HTMLButtonElement>("button[data-action=resume]")!.click();
    await flush();
    expect(t.replayed).toEqual(["g1"]);
    expect(t.played).toEqual(["g2"]);
  });

  it("says when there are none, or when they cannot be loaded", async () => {
    const t = setup({ myGames: vi.fn(async () => ({ games: [] })) });
    await t.lobby.loadMyGames();
    expect(text("games-list")).toBe("No games yet — start one above.");
    const f = setup({ myGames: vi.fn(async () => Promise.reject(new Error("down"))) });
    await f.lobby.loadMyGames();
    expect(document.getElementById("games-list")!.dataset.state).toBe("error");
  });
});

describe("Lobby: watch", () => {
  it("the Watch tab lists live games while shown, and watches one", async () => {
    const t = setup();
    t.lobby.setShown(true);
    t.lobby.showTab("watch");
    expect(t.lobby.currentTab).toBe("watch");
    expect(location.hash).toBe("#watch");
    await flush();
    const li = document.querySelector<HTMLElement>("#live-games li[data-game-id=L1]")!;
    expect(li.dataset.node).toBe("n1");
    expect(li.querySelector(".live-players")!.textContent).toBe("Ann vs BotBOT");
    expect(text("watch-count")).toBe("1");
    li.querySelector<HTMLButtonElement>("button[data-action=watch]")!.click();
    await flush();
    expect(t.watched).toEqual(["L1"]);
    // Refreshed every 5 s while shown; not while the Play tab is.
    await vi.advanceTimersByTimeAsync(5000);
    expect(t.api.liveGames).toHaveBeenCalledTimes(2);
    t.lobby.showTab("play");
    await vi.advanceTimersByTimeAsync(20_000);
    expect(t.api.liveGames).toHaveBeenCalledTimes(2);
    // The stats' count is used while the list is not polling.
    t.lobby.setLiveCountFromStats(4);
    expect(text("watch-count")).toBe("4");
  });

  it("keeps the last list when a refresh fails, and says so", async () => {
    let fail = false;
    const t = setup({ liveGames: vi.fn(async () => (fail ? Promise.reject(new Error("down")) : [live()])) });
    t.lobby.setShown(true);
    t.lobby.showTab("watch");
    await flush();
    fail = true;
    await vi.advanceTimersByTimeAsync(5000);
    expect(hidden("live-error")).toBe(false);
    expect(text("live-error")).toMatch(/Showing the last list/);
    expect(document.querySelectorAll("#live-games li[data-game-id]")).toHaveLength(1);
    expect(t.api.liveGames).toHaveBeenCalledTimes(2);
  });

  it("an empty list says so", async () => {
    const t = setup({ liveGames: vi.fn(async () => []) });
    t.lobby.setShown(true);
    t.lobby.showTab("watch");
    await flush();
    expect(text("live-games")).toBe("No live games right now");
    expect(hidden("watch-count")).toBe(true);
  });
});
