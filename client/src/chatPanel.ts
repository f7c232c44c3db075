/**
 * A chat panel (DOM): the lines of one channel, a form to write, the last
 * refusal, and on each line of someone else Mute, Block and Report. Every
 * name and text is put on the page with textContent (through ui.ts `h`, which
 * appends text nodes): a message is never parsed as HTML, whatever it holds.
 */
import type { ChatLine } from "@tabula/shared/protocol";
import { type ChatModel, chatTime, draftProblem } from "./chat.ts";
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

  /** Build the panel inside `root` (emptied), titled `title`. */
  constructor(root: HTMLElement, title: string, deps: ChatPanelDeps) {
    this.root = root;
    this.deps = deps;
    this.title = h("h3", { class: "chat-title" }, title);
    this.log = h("ol", { class: "chat-log", role: "log", "aria-live": "polite", "aria-label": title });
    this.error = h("p", { class: "chat-error", role: "alert", hidden: true });
    this.input = h("input", { class: "chat-input", maxlength: "600", "aria-label": "Message", placeholder: "Say something…" });
    const form = h("form", { class: "chat-form", autocomplete: "off" }, this.input, h("button", { type: "submit" }, "Send"));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.submit();
    });
    root.classList.add("chat");
    root.replaceChildren(this.title, this.log, this.error, form);
  }

  setTitle(title: string): void {
    setText(this.title, title);
    this.log.setAttribute("aria-label", title);
  }

  /** Draw `model`'s lines, keeping the view at the bottom if it was there. */
  render(model: ChatModel): void {
    const atBottom = this.log.scrollTop + this.log.clientHeight >= this.log.scrollHeight - 4;
    const me = this.deps.me();
    this.log.replaceChildren(...model.lines.map((l) => this.lineElement(l, l.playerId === me)));
    if (atBottom) this.log.scrollTop = this.log.scrollHeight;
  }

  /** Show a refusal (or clear it with null). */
  showError(text: string | null): void {
    setText(this.error, text ?? "");
    show(this.error, text !== null);
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
      for (const a of ["mute", "block", "report"] as const) {
        const b = h("button", { type: "button", class: "link small", "data-action": a, title: `${a} ${l.name}` }, a);
        b.addEventListener("click", () => this.deps.act(a, l));
        actions.append(b);
      }
      li.append(actions);
    }
    return li;
  }

  private async submit(): Promise<void> {
    const text = this.input.value;
    const problem = draftProblem(text);
    if (problem) return this.showError(problem);
    try {
      await this.deps.send(text);
      this.input.value = "";
      this.showError(null);
    } catch (err) {
      this.showError((err as Error).message);
    }
  }
}
