/**
 * A chat panel (DOM): the lines of one channel, a form to write, the last
 * refusal, and on each line of someone else Mute, Block and Report. Every
 * name and text is put on the page with textContent (through ui.ts `h`, which
 * appends text nodes): a message is never parsed as HTML, whatever it holds.
 */
import type { ChatLine } from "@tabula/shared/protocol";
import { type ChatModel, chatTime, draftProblem } from "./chat.ts";
import { onLanguageChange, t } from "./i18n/index.ts";
import { h, setText, show } from "./ui.ts";

export type ChatAction = "mute" | "block" | "report";

export interface ChatPanelDeps {
  /** Send a message; resolves once it is accepted, rejects with the text to show. */
  send(text: string): Promise<void>;
  /** Mute, block or report `line`'s sender or message. */
  act(action: ChatAction, line: ChatLine): void;
  /** The player's own id (no actions on one's own lines). */
  me(): string | null;
}

export class ChatPanel {
  readonly root: HTMLElement;
  private readonly deps: ChatPanelDeps;
  private readonly log: HTMLOListElement;
  private readonly error: HTMLParagraphElement;
  private readonly input: HTMLInputElement;
  private readonly title: HTMLElement;
  private readonly sendButton: HTMLButtonElement;
  /** The title and the refusal shown, as functions: made again in another language. */
  private titleText: () => string;
  private errorText: (() => string) | null = null;
  private model: ChatModel | null = null;

  /** Build the panel inside `root` (emptied), titled `title` (in the current language at each call). */
  constructor(root: HTMLElement, title: () => string, deps: ChatPanelDeps) {
    this.root = root;
    this.deps = deps;
    this.titleText = title;
    this.title = h("h3", { class: "chat-title" });
    this.log = h("ol", { class: "chat-log", role: "log", "aria-live": "polite" });
    this.error = h("p", { class: "chat-error", role: "alert", hidden: true });
    this.input = h("input", { class: "chat-input", maxlength: "600" });
    this.sendButton = h("button", { type: "submit" });
    const form = h("form", { class: "chat-form", autocomplete: "off" }, this.input, this.sendButton);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.submit();
    });
    root.classList.add("chat");
    root.replaceChildren(this.title, this.log, this.error, form);
    this.translate();
    onLanguageChange(() => {
      this.translate();
      if (this.model) this.render(this.model);
    });
  }

  /** Write the panel's own words in the current language. */
  private translate(): void {
    this.setTitle(this.titleText);
    this.input.setAttribute("aria-label", t("chat:message"));
    this.input.placeholder = t("chat:placeholder");
    setText(this.sendButton, t("chat:send"));
    if (this.errorText) setText(this.error, this.errorText());
  }

  setTitle(title: () => string): void {
    this.titleText = title;
    setText(this.title, title());
    this.log.setAttribute("aria-label", title());
  }

  /** Draw `model`'s lines, keeping the view at the bottom if it was there. */
  render(model: ChatModel): void {
    this.model = model;
    const atBottom = this.log.scrollTop + this.log.clientHeight >= this.log.scrollHeight - 4;
    const me = this.deps.me();
    this.log.replaceChildren(...model.lines.map((l) => this.lineElement(l, l.playerId === me)));
    if (atBottom) this.log.scrollTop = this.log.scrollHeight;
  }

  /** Show a refusal (or clear it with null); a function is asked again after a language switch. */
  showError(text: string | (() => string) | null): void {
    this.errorText = typeof text === "function" ? text : text === null ? null : () => text;
    setText(this.error, this.errorText?.() ?? "");
    show(this.error, this.errorText !== null);
  }

  private lineElement(l: ChatLine, mine: boolean): HTMLLIElement {
    const li = h(
      "li",
      { class: mine ? "chat-line mine" : "chat-line", "data-id": l.id },
      h("time", { class: "chat-time" }, chatTime(l.at)),
      h("span", { class: "chat-name" }, l.name),
      h("span", { class: "chat-text" }, l.text),
    );
    if (!mine) {
      const actions = h("span", { class: "chat-actions" });
      const words = {
        mute: [t("chat:mute"), t("chat:muteTitle", { name: l.name })],
        block: [t("chat:block"), t("chat:blockTitle", { name: l.name })],
        report: [t("chat:report"), t("chat:reportTitle", { name: l.name })],
      } as const;
      for (const a of ["mute", "block", "report"] as const) {
        const b = h("button", { type: "button", class: "link small", "data-action": a, title: words[a][1] }, words[a][0]);
        b.addEventListener("click", () => this.deps.act(a, l));
        actions.append(b);
      }
      li.append(actions);
    }
    return li;
  }

  private async submit(): Promise<void> {
    const text = this.input.value;
    if (draftProblem(text)) return this.showError(() => draftProblem(text) ?? "");
    try {
      await this.deps.send(text);
      this.input.value = "";
      this.showError(null);
    } catch (err) {
      this.showError((err as Error).message);
    }
  }
}
