import { describe, expect, it } from "vitest";
import { Api, ApiError } from "./api.ts";
import { matchup, parseLiveGames, startedAgo, watchUrl, watchingLabel } from "./liveGames.ts";

const alice = { name: "Alice", isBot: false };
const bot = { name: "Botvinnik", isBot: true };

function game(over: Record<string, unknown> = {}) {
  return {
    gameId: "g1",
    kind: "connect4",
    timeControl: "3+2",
    players: [alice, bot],
    spectators: 2,
    node: "n1",
    createdAt: 1_700_000_000_000,
    ...over,
  };
}

describe("parseLiveGames", () => {
  it("reads the server's list in order", () => {
    const games = parseLiveGames({ games: [game(), game({ gameId: "g0", kind: "chess", spectators: 0 })] });
    expect(games.map((g) => g.gameId)).toEqual(["g1", "g0"]);
    expect(games[0]).toEqual({
      gameId: "g1",
      kind: "connect4",
      timeControl: "3+2",
      players: [alice, bot],
      spectators: 2,
      node: "n1",
      createdAt: 1_700_000_000_000,
      private: false,
    });
  });

  it("marks private games (only when the server says true)", () => {
    const games = parseLiveGames({
      games: [game({ private: true }), game({ gameId: "g2", private: "yes" }), game({ gameId: "g3" })],
    });
    expect(games.map((g) => g.private)).toEqual([true, false, false]);
  });

  it("accepts an empty list", () => {
    expect(parseLiveGames({ games: [] })).toEqual([]);
  });

  it("skips entries it cannot show", () => {
    const games = parseLiveGames({
      games: [
        game({ kind: "go" }),
        game({ gameId: "" }),
        game({ gameId: "g2", players: [alice] }),
        game({ gameId: "g3", players: [alice, { isBot: true }] }),
        null,
        game({ gameId: "g4", spectators: -1, isBot: undefined }),
        game({ gameId: "g4" }),
      ],
    });
    expect(games.map((g) => g.gameId)).toEqual(["g4"]);
    expect(games[0].spectators).toBe(0);
  });

  it("rejects a body that is not a list of games", () => {
    expect(() => parseLiveGames(null)).toThrow();
    expect(() => parseLiveGames({ games: "nope" })).toThrow();
  });
});

describe("Api.liveGames", () => {
  it("GETs /api/live-games without needing an identity", async () => {
    const calls: string[] = [];
    const api = new Api("", {
      storage: null,
      fetchFn: (async (input: string | URL | Request, init?: RequestInit) => {
        calls.push(`${init?.method} ${String(input)} ${JSON.stringify(init?.headers)}`);
        return new Response(JSON.stringify({ games: [game()] }), { status: 200 });
      }) as typeof fetch,
    });
    expect((await api.liveGames()).map((g) => g.gameId)).toEqual(["g1"]);
    expect(calls).toEqual(['GET /api/live-games {"Accept":"application/json"}']);
  });

  it("reports a failure as an ApiError", async () => {
    const api = new Api("", {
      storage: null,
      fetchFn: (async () => new Response("{}", { status: 503, statusText: "Service Unavailable" })) as typeof fetch,
    });
    await expect(api.liveGames()).rejects.toBeInstanceOf(ApiError);
  });
});

describe("startedAgo", () => {
  it("reads naturally", () => {
    expect(startedAgo(0)).toBe("started just now");
    expect(startedAgo(-5000)).toBe("started just now"); // clock skew
    expect(startedAgo(9_999)).toBe("started just now");
    expect(startedAgo(40_000)).toBe("started 40 seconds ago");
    expect(startedAgo(60_000)).toBe("started 1 minute ago");
    expect(startedAgo(3 * 60_000 + 59_000)).toBe("started 3 minutes ago");
    expect(startedAgo(59 * 60_000)).toBe("started 59 minutes ago");
    expect(startedAgo(60 * 60_000)).toBe("started 1 hour ago");
    expect(startedAgo(65 * 60_000)).toBe("started 1 h 5 min ago");
    expect(startedAgo(Number.NaN)).toBe("");
  });
});

describe("wording and links", () => {
  it("counts spectators", () => {
    expect(watchingLabel(0)).toBe("nobody watching");
    expect(watchingLabel(1)).toBe("1 watching");
    expect(watchingLabel(12)).toBe("12 watching");
  });

  it("names the players", () => {
    expect(matchup([alice, bot])).toBe("Alice vs Botvinnik");
  });

  it("builds the spectator link", () => {
    expect(watchUrl("https://tabula.example", "abc123")).toBe("https://tabula.example/?watch=abc123");
    expect(watchUrl("http://localhost:8080/", "a b")).toBe("http://localhost:8080/?watch=a%20b");
  });
});
