/**
 * The lobby's "You" card for accounts (plain DOM): who is playing (a guest or
 * an account), and the forms to create an account (claiming this guest, so
 * its games stay, or a fresh one), log in, change the password and log out.
 * Errors are shown as text in the card, in the player's language (the
 * server's code translated: "too many failed logins: try again in 14 min").
 */
import type { Api, Identity } from "./api.ts";
import { errorText } from "./api.ts";
import { onLanguageChange, t } from "./i18n/index.ts";
import { validateName } from "./inputs.ts";
import { $, busy, setText, show, toast } from "./ui.ts";

type Form = "signup" | "login" | "password";

/** Password rules as the server has them (protocol/accounts.ts): 8–128 characters, not the name. */
export function passwordProblem(password: string, name: string): string | null {
  const n = [...password].length;
  if (n < 8) return t("account:pwShort");
  if (n > 128) return t("account:pwLong");
  if (password.trim().toLowerCase() === name.trim().toLowerCase()) return t("account:pwIsName");
  return null;
}

export class AccountPanel {
  private readonly api: Api;
  private readonly changed: () => void;
  private open: Form | null = null;

  /** `changed`: the player changed (logged in or out, claimed): reload what depends on it (My games). */
  constructor(api: Api, changed: () => void) {
    this.api = api;
    this.changed = changed;
    $("show-signup").addEventListener("click", () => this.toggle("signup"));
    $("show-login").addEventListener("click", () => this.toggle("login"));
    $("show-password").addEventListener("click", () => this.toggle("password"));
    $("logout").addEventListener("click", (e) => void this.logout(e.currentTarget as HTMLButtonElement));
    for (const b of document.querySelectorAll<HTMLButtonElement>("#you-card .account-cancel")) {
      b.addEventListener("click", () => this.toggle(null));
    }
    this.onSubmit("signup", () => this.signup());
    this.onSubmit("login", () => this.login());
    this.onSubmit("password", () => this.changePassword());
    onLanguageChange(() => {
      if (this.api.identity) this.show(this.api.identity);
      if (this.shownError) this.error(this.shownError());
    });
  }

  /** Show who is playing: a guest (with the account forms) or an account (logged in). */
  show(identity: Identity): void {
    const account = identity.account === true;
    $("you-card").dataset.account = account ? "account" : "guest";
    const name = identity.name;
    setText($("account-status"), account ? t("account:loggedInAs", { name }) : t("account:playingAsGuest", { name }));
    // Set here, not from the markup's data-i18n: the kind follows the identity.
    const kind = $("account-kind");
    kind.removeAttribute("data-i18n");
    setText(kind, account ? t("common:account") : t("common:guest"));
    const pill = $("you-pill");
    pill.removeAttribute("data-i18n-title");
    pill.title = account ? t("account:pillAccount", { name }) : t("account:pillGuest", { name });
    show($("guest-area"), !account && this.open === null);
    show($("member-area"), account && this.open === null);
    if (this.open === "password" && !account) this.toggle(null);
  }

  private onSubmit(form: Form, run: () => Promise<void>): void {
    $(`${form}-form`).addEventListener("submit", (e) => {
      e.preventDefault();
      void busy($(`${form}-submit`) as HTMLButtonElement, run);
    });
  }

  private toggle(form: Form | null): void {
    this.open = this.open === form ? null : form;
    for (const f of ["signup", "login", "password"] as const) show($(`${f}-form`), f === this.open);
    this.error(null);
    if (this.open === "signup") {
      const name = $("signup-name") as HTMLInputElement;
      if (!name.value) name.value = this.api.identity?.name ?? "";
      name.focus();
    } else if (this.open) {
      ($(this.open === "login" ? "login-name" : "current-password") as HTMLInputElement).focus();
    }
    if (this.api.identity) this.show(this.api.identity);
  }

  /** The error on screen, made again in another language (null: none). */
  private shownError: (() => string) | null = null;

  private error(message: string | null | (() => string)): void {
    this.shownError = typeof message === "function" ? message : message === null ? null : () => message;
    const text = this.shownError?.() ?? null;
    setText($("account-error"), text ?? "");
    show($("account-error"), text !== null);
  }

  private value(id: string): string {
    return ($(id) as HTMLInputElement).value;
  }

  /** Run `action`; on success close the form, clear its passwords and say `done`; on failure show why. */
  private async attempt(action: () => Promise<Identity>, done: (id: Identity) => string): Promise<void> {
    this.error(null);
    try {
      const id = await action();
      for (const p of ["signup-password", "login-password", "current-password", "new-password"])
        ($(p) as HTMLInputElement).value = "";
      this.open = null;
      this.toggle(null);
      toast(done(id), "success");
      this.changed();
    } catch (err) {
      this.error(() => errorText(err));
    }
  }

  private async signup(): Promise<void> {
    const name = this.value("signup-name").trim();
    const password = this.value("signup-password");
    if (validateName(name) ?? passwordProblem(password, name)) {
      return this.error(() => validateName(name) ?? passwordProblem(password, name) ?? "");
    }
    const claim = ($("signup-claim") as HTMLInputElement).checked;
    await this.attempt(
      () => this.api.register(name, password, claim),
      (id) => t("account:welcome", { name: id.name }),
    );
  }

  private async login(): Promise<void> {
    const name = this.value("login-name").trim();
    const password = this.value("login-password");
    if (!name || !password) return this.error(() => t("account:enterCredentials"));
    await this.attempt(
      () => this.api.login(name, password),
      (id) => t("account:loggedIn", { name: id.name }),
    );
  }

  private async changePassword(): Promise<void> {
    const current = this.value("current-password");
    const next = this.value("new-password");
    const mine = this.api.identity?.name ?? "";
    if (passwordProblem(next, mine)) return this.error(() => passwordProblem(next, mine) ?? "");
    await this.attempt(
      () => this.api.changePassword(current, next),
      () => t("account:passwordChanged"),
    );
  }

  private async logout(button: HTMLButtonElement): Promise<void> {
    await busy(button, async () => {
      try {
        await this.api.logout();
        toast(t("account:loggedOut"), "success");
        this.changed();
      } catch (err) {
        this.error(() => errorText(err));
      }
    });
  }
}
