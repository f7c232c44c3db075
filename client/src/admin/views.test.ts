// @vitest-environment happy-dom
/**
 * The operator page's tables and its API client, on the real admin.html body:
 * what the node table, the games list and the audit rows show, and which
 * token the page sends (the operator's, else the game's guest token).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { $ } from "../ui.ts";
import type { AdminNode, AdminOverview } from "@tabula/shared/protocol";
import { ADMIN_TOKEN_KEY, AdminApi } from "./adminApi.ts";
import { showAudit, showGames, showOverview } from "./views.ts";

const PAGE = readFileSync(resolve(import.meta.dirname ?? resolve(process.cwd(), "client/src/admin"), "../../admin.html"), "utf8");

beforeEach(() => {
  const body = /<body[^>]*>([\s\S]*)<\/body>/i.exec(PAGE)?.[1] ?? "";
  document.body.innerHTML = body.replace(/<script[\s\S]*?<\/script>/gi, "");
});

const node = (over: Partial<AdminNode>): AdminNode => ({
  nodeId: "n1",
  processId: "p1",
  status: "up",
  heartbeatAgeMs: 120,
  version: "0.1.0",
  startedAt: 0,
  uptimeS: 3700,
  games: 3,
  players: 6,
  spectators: 1,
  rooms: 3,
  ccu: 7,
  reportedAt: 0,
  self: true,
  ...over,
});

describe("operator page views", () => {
  it("the totals and one row per node, with its health and figures", () => {
    const o: AdminOverview = {
      at: 0,
      nodes: [node({}), node({ nodeId: "n2", processId: "p2", status: "down", heartbeatAgeMs: null, self: false })],
      totals: { nodesUp: 1, games: 3, players: 6, spectators: 1, playersOnline: null },
    };
    showOverview(o);
    expect($("total-nodes").textContent).toBe("1");
    expect($("total-online").textContent).toBe("–");
    const rows = [...document.querySelectorAll("#nodes-body tr")];
    expect(rows.map((r) => r.getAttribute("data-status"))).toEqual(["up", "down"]);
    expect([...rows[0].querySelectorAll("td")].map((td) => td.textContent)).toEqual([
      "n1this page",
      "up",
      "120 ms",
      "3",
      "6",
      "1",
      "1 h 01 min",
      "0.1.0",
    ]);
    expect(rows[1].querySelectorAll("td")[2].textContent).toBe("–");
  });

  it("live games with a spectator link, or says there are none; audit rows as text, never markup", () => {
    showGames([
      {
        gameId: "abcd1234",
        kind: "connect4",
        timeControl: "3+5",
        players: [
          { name: "<b>Ada</b>", isBot: false },
          { name: "Bot", isBot: true },
        ],
        spectators: 2,
        node: "n2",
        createdAt: 0,
      },
    ]);
    const item = document.querySelector("li[data-game='abcd1234']");
    expect(item?.querySelector("a")?.getAttribute("href")).toBe("/?watch=abcd1234");
    expect(item?.textContent).toContain("<b>Ada</b> vs Bot (bot)");
    expect(item?.querySelector("b")).toBeNull();
    expect($("games-count").textContent).toBe("1");
    showGames([]);
    expect($("admin-games").textContent).toBe("No live games.");

    showAudit([
      {
        id: "7",
        at: "2026-12-01T19:00:00.000Z",
        kind: "login",
        nodeId: "n1",
        playerId: "11111111-2222",
        gameId: null,
        ip: "10.0.0.1",
        detail: { name: "<img src=x>" },
      },
    ]);
    const row = document.querySelector("#audit-body tr[data-audit='7']");
    expect(row?.getAttribute("data-kind")).toBe("login");
    expect(row?.querySelector("img")).toBeNull();
    expect(row?.textContent).toContain('{"name":"<img src=x>"}');
    expect(row?.querySelectorAll("td")[3].textContent).toBe("11111111");
  });
});

describe("operator API client", () => {
  function storage(items: Record<string, string>) {
    const map = new Map(Object.entries(items));
    return {
      getItem: (k: string) => map.get(k) ?? null,
      setItem: (k: string, v: string) => void map.set(k, v),
      removeItem: (k: string) => void map.delete(k),
    };
  }

  it("sends the operator's token, else the guest's; signing out forgets only the operator's", async () => {
    const seen: Array<string | null> = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (_url: string, init: RequestInit) => {
        seen.push(new Headers(init.headers).get("authorization"));
        return new Response(JSON.stringify({ id: "x", name: "Ops", operator: true }), { status: 200 });
      }),
    );
    const store = storage({ "tabula.token": "guest-token" });
    const api = new AdminApi("", store);
    expect(api.signedIn).toBe(false);
    await api.me();
    api.signIn("  operator-token ");
    expect(api.signedIn).toBe(true);
    expect(store.getItem(ADMIN_TOKEN_KEY)).toBe("operator-token");
    await api.audit({ kind: "login", playerId: "" });
    api.signOut();
    await api.overview();
    expect(seen).toEqual(["Bearer guest-token", "Bearer operator-token", "Bearer guest-token"]);
    vi.unstubAllGlobals();
  });

  it("without any token asks nothing and answers 401", async () => {
    const fetchFn = vi.fn();
    vi.stubGlobal("fetch", fetchFn);
    await expect(new AdminApi("", storage({})).figures()).rejects.toMatchObject({ status: 401 });
    expect(fetchFn).not.toHaveBeenCalled();
    vi.unstubAllGlobals();
  });
});
