/**
 * The two places chat lives in the page: the lobby (HTTP: a first read, then
 * a poll for newer lines every few seconds while the lobby is shown, posts
 * over POST /api/chat/lobby) and the game screen (the game room: `chat` and
 * `chatHistory` messages, the players' or the spectators' channel by role).
 * Mute, block and report go over HTTP for both.
 */
import type { Room } from "@colyseus/sdk";
import type { ChatHistoryMessage, ChatLine, ErrorMessage, LobbyChatResponse } from "@tabula/shared/protocol";
import { type Api, ApiError, errorText } from "./api.ts";
import { ChatModel, chatErrorText } from "./chat.ts";
import { type ChatAction, ChatPanel } from "./chatPanel.ts";
import { t } from "./i18n/index.ts";
import { toast } from "./ui.ts";

/** How often the lobby asks for newer lines while it is shown, ms. */
export const LOBBY_POLL_MS = 3000;

/** An API call with a token good for a while yet (an account's access token renewed first: api.ts freshToken). */
async function call<T>(api: Api, method: string, path: string, body?: unknown): Promise<T> {
  await api.freshToken();
  return api.request<T>(method, path, body);
}

/** Mute, block (PUT a relation) or report (POST, with the reason asked for) `line`. Resolves whether it was done. */
async function act(api: Api, action: ChatAction, line: ChatLine): Promise<boolean> {
  try {
    if (action === "report") {
      const reason = globalThis.prompt?.(t("chat:reportPrompt", { name: line.name }), t("chat:reportDefault"))?.trim();
      if (!reason) return false;
      await call(api, "POST", "/chat/reports", { messageId: line.id, reason: reason.slice(0, 200) });
      toast(t("chat:reported"), "success");
      return false;
    }
    await call(api, "PUT", `/chat/relations/${action}/${encodeURIComponent(line.playerId)}`);
    toast(action === "mute" ? t("chat:muted", { name: line.name }) : t("chat:blocked", { name: line.name }), "success");
    return true;
  } catch (err) {
    toast(errorText(err), "error");
    return false;
  }
}

/** A refusal over HTTP as the text to show. */
function refusal(err: unknown): Error {
  return new Error(err instanceof ApiError ? chatErrorText(err.code, err.message, err.retryAfterS) : errorText(err));
}

export class LobbyChat {
  readonly model = new ChatModel();
  private readonly api: Api;
  private readonly panel: ChatPanel;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private shown = false;
  private loaded = false;

  constructor(api: Api, root: HTMLElement) {
    this.api = api;
    this.panel = new ChatPanel(root, () => t("chat:lobbyChat"), {
      me: () => api.identity?.id ?? null,
      send: async (text) => {
        try {
          const r = await call<{ message: ChatLine }>(api, "POST", "/chat/lobby", { text });
          this.model.add([r.message]);
          this.panel.render(this.model);
        } catch (err) {
          throw refusal(err);
        }
      },
      act: (a, line) =>
        void act(api, a, line).then((hid) => {
          if (hid) this.model.hide(line.playerId);
          this.panel.render(this.model);
        }),
    });
  }

  /** The lobby is on screen (poll) or not (stop). */
  setShown(shown: boolean): void {
    if (shown === this.shown) return;
    this.shown = shown;
    clearTimeout(this.timer);
    if (shown) void this.poll();
  }

  private async poll(): Promise<void> {
    try {
      const after = this.loaded ? this.model.lastId : null;
      const r = await call<LobbyChatResponse>(this.api, "GET", after ? `/chat/lobby?after=${after}` : "/chat/lobby");
      if (after) this.model.add(r.messages);
      else this.model.reset(r.messages);
      this.loaded = true;
      this.panel.render(this.model);
    } catch {
      // Offline or the server is busy: the next poll tries again.
    }
    if (this.shown) this.timer = setTimeout(() => void this.poll(), LOBBY_POLL_MS);
  }
}

export class GameChatView {
  readonly model = new ChatModel();
  private readonly panel: ChatPanel;
  private room: Room | null = null;

  constructor(api: Api, root: HTMLElement) {
    this.panel = new ChatPanel(root, () => t("chat:chat"), {
      me: () => api.identity?.id ?? null,
      send: async (text) => {
        if (!this.room) throw new Error(t("chat:notConnected"));
        this.room.send("chat", { text });
      },
      act: (a, line) =>
        void act(api, a, line).then((hid) => {
          if (hid) this.model.hide(line.playerId);
          this.panel.render(this.model);
        }),
    });
  }

  /** A new game: nothing shown yet; `spectate` says which channel this is. */
  open(spectate: boolean): void {
    this.room = null;
    this.model.reset([]);
    this.panel.setTitle(() => (spectate ? t("chat:spectatorsChat") : t("chat:playersChat")));
    this.panel.showError(null);
    this.panel.render(this.model);
  }

  /**
   * A (re)joined room of the game: listen to its chat and ask for the history. `mine` says whether the
   * room is still the session's (a late answer from a room given up on is ignored).
   */
  attach(room: Room, mine: () => boolean): void {
    this.room = room;
    room.onMessage("chat", (l: ChatLine) => {
      if (!mine()) return;
      this.model.add([l]);
      this.panel.render(this.model);
    });
    room.onMessage("chatHistory", (m: ChatHistoryMessage) => {
      if (!mine()) return;
      this.model.reset(m.messages);
      this.panel.render(this.model);
    });
    room.onMessage("error", (e: ErrorMessage) => {
      if (mine() && e.inReplyTo === "chat") this.panel.showError(() => chatErrorText(e.code, e.message, e.retryInS));
    });
    room.onReconnect(() => {
      if (mine()) room.send("chatHistory", {});
    });
    room.send("chatHistory", {});
  }

  close(): void {
    this.room = null;
  }
}
