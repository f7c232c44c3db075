/**
 * The lobby's "You" card for accounts (plain DOM): who is playing (a guest or
 * an account), and the forms to create an account (claiming this guest, so
 * its games stay, or a fresh one), log in, change the password and log out.
 * Errors are shown as text in the card, the server's own words included
 * ("too many failed logins; try again in 840 s").
 */
import type { Api, Identity } from "./api.ts";
import { errorText } from "./api.ts";
import { validateName } from "./inputs.ts";
import { $, busy, setText, show, toast } from "./ui.ts";

type Form = "signup" | "login" | "password";

/** Password rules as the server has them (protocol/accounts.ts): 8–128 characters, not the name. */
export function passwordProblem(password: string, name: string): string | null {
  const n = [...password].length;
  if (n < 8) return "Password: at least 8 characters";
  if (n > 128) return "Password: at most 128 characters";
  if (password.trim().toLowerCase() === name.trim().toLowerCase()) return "Password: must not be your username";
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
  }

  /** Show who is playing: a guest (with the account forms) or an account (logged in). */
  show(identity: Identity): void {
    const account = identity.account === true;
    $("you-card").dataset.account = account ? "account" : "guest";
    setText($("account-status"), account ? `Logged in as ${identity.name}` : `Playing as a guest: ${identity.name}`);
    setText($("account-kind"), account ? "account" : "guest");
    $("you-pill").title = account ? `logged in as ${identity.name}` : `guest ${identity.name}`;
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

  private error(message: string | null): void {
    setText($("account-error"), message ?? "");
    show($("account-error"), message !== null);
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
      this.error(errorText(err));
    }
  }

  private async signup(): Promise<void> {
    const name = this.value("signup-name").trim();
    const password = this.value("signup-password");
    const problem = validateName(name) ?? passwordProblem(password, name);
    if (problem) return this.error(problem);
    const claim = ($("signup-claim") as HTMLInputElement).checked;
    await this.attempt(
      () => this.api.register(name, password, claim),
      (id) => `Welcome, ${id.name}: your account is ready.`,
    );
  }

  private async login(): Promise<void> {
    const name = this.value("login-name").trim();
    const password = this.value("login-password");
    if (!name || !password) return this.error("Enter your username and password.");
    await this.attempt(
      () => this.api.login(name, password),
      (id) => `Logged in as ${id.name}.`,
    );
  }

  private async changePassword(): Promise<void> {
    const current = this.value("current-password");
    const next = this.value("new-password");
    const problem = passwordProblem(next, this.api.identity?.name ?? "");
    if (problem) return this.error(problem);
    await this.attempt(
      () => this.api.changePassword(current, next),
      () => "Password changed. Your other sessions were logged out.",
    );
  }

  private async logout(button: HTMLButtonElement): Promise<void> {
    await busy(button, async () => {
      try {
        await this.api.logout();
        toast("Logged out. You play as a guest now.", "success");
        this.changed();
      } catch (err) {
        this.error(errorText(err));
      }
    });
  }
}
