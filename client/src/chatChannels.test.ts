// @vitest-environment happy-dom
import type { ChatLine } from "@tabula/shared/protocol";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type Api, ApiError } from "./api.ts";
import { LobbyChat } from "./chatChannels.ts";

const line = (id: number, playerId: string, text: string): ChatLine => ({
  id: String(id),
  channel: "lobby",
  playerId,
  name: playerId.toUpperCase(),
  text,
  at: 0,
});

/** A fake Api answering the lobby's calls from `answers` (by "METHOD path"). */
function fakeApi(answers: Record<string, (body: unknown) => unknown>) {
  const calls: string[] = [];
  const api = {
    identity: { id: "me", name: "Me", token: "t" },
    freshToken: vi.fn(async () => "t"),
    request: vi.fn(async (method: string, path: string, body?: unknown) => {
      calls.push(`${method} ${path}`);
      const answer = answers[`${method} ${path}`];
      if (!answer) throw new ApiError(404, "NOT_FOUND", "no");
      return answer(body);
    }),
  };
  return { api: api as unknown as Api, calls };
}

afterEach(() => {
  vi.useRealTimers();
  document.body.replaceChildren();
});

describe("LobbyChat", () => {
  it("reads the history, then polls after the last id; markup is drawn as text", async () => {
    vi.useFakeTimers();
    const root = document.createElement("section");
    document.body.append(root);
    const { api, calls } = fakeApi({
      "GET /chat/lobby": () => ({ messages: [line(1, "a", "<img src=x onerror=alert(1)><b>hi</b>")] }),
      "GET /chat/lobby?after=1": () => ({ messages: [line(2, "b", "second")] }),
      "GET /chat/lobby?after=2": () => ({ messages: [] }),
    });
    const chat = new LobbyChat(api, root);
    chat.setShown(true);
    await vi.advanceTimersByTimeAsync(0);
    const texts = () => [...root.querySelectorAll(".chat-text")].map((e) => e.textContent);
    expect(texts()).toEqual(["<img src=x onerror=alert(1)><b>hi</b>"]);
    expect(root.querySelectorAll(".chat-log img, .chat-log b")).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(3000);
    expect(texts()).toEqual(["<img src=x onerror=alert(1)><b>hi</b>", "second"]);
    await vi.advanceTimersByTimeAsync(3000);
    expect(calls).toEqual(["GET /chat/lobby", "GET /chat/lobby?after=1", "GET /chat/lobby?after=2"]);
    expect(api.freshToken).toHaveBeenCalledTimes(3); // an account's token renewed before each call
    chat.setShown(false);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toHaveLength(3);
  });

  it("a refused post shows the reason in the panel, with the wait for the rate limit", async () => {
    const root = document.createElement("section");
    document.body.append(root);
    const { api } = fakeApi({
      "GET /chat/lobby": () => ({ messages: [] }),
      "POST /chat/lobby": () => {
        throw new ApiError(429, "CHAT_RATE_LIMITED", "too many chat messages: try again in 42 s");
      },
    });
    new LobbyChat(api, root);
    (root.querySelector(".chat-input") as HTMLInputElement).value = "hello";
    root.querySelector("form")?.dispatchEvent(new Event("submit", { cancelable: true }));
    await vi.waitFor(() => expect(root.querySelector(".chat-error")?.textContent).toBe("Too many messages: try again in 42 s."));
    expect((root.querySelector(".chat-error") as HTMLElement).hidden).toBe(false);
  });
});
