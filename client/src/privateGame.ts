/**
 * Private games (a password on an invite): the password field's check, what a
 * refusal means in words, the loop that asks for the password until the server
 * takes it (accepting an invite, watching a game), and the password dialog
 * (#game-password-dialog). The password lives only in memory, for the page's life
 * in that game (a spectator re-joining after a failover needs it again);
 * it is never stored.
 */
import { GAME_PASSWORD_MAX, GAME_PASSWORD_MIN, passwordRefusalOf, retryAfterOf } from "@tabula/shared/protocol";
import { ApiError } from "./api.ts";
import { waitText } from "./errorCodes.ts";
import { t } from "./i18n/index.ts";
import { $, setText, show } from "./ui.ts";

/** Why `raw` cannot be a game password (in words), or null when it can. Empty is fine when `optional`. */
export function validateGamePassword(raw: string, optional = false): string | null {
  if (raw === "" && optional) return null;
  if (raw.length < GAME_PASSWORD_MIN) return t("private:atLeast", { n: GAME_PASSWORD_MIN });
  if (raw.length > GAME_PASSWORD_MAX) return t("private:atMost", { n: GAME_PASSWORD_MAX });
  return null;
}

/** A refusal of a private game's password, in words. */
export interface PasswordProblem {
  kind: "required" | "wrong" | "throttled";
  text: string;
  /** Throttled: seconds until the server looks at a password again. */
  retryAfterS?: number;
}

/**
 * What `err` says about the password: an API error (`PASSWORD_REQUIRED`, `WRONG_PASSWORD`,
 * `PASSWORD_THROTTLED`) or a refused seat reservation (SDK error whose message starts with the
 * same code). Null for any other error.
 */
export function passwordProblem(err: unknown): PasswordProblem | null {
  const message = err instanceof Error ? err.message : typeof err === "string" ? err : "";
  const code = err instanceof ApiError ? err.code : passwordRefusalOf(message);
  switch (code) {
    case "PASSWORD_REQUIRED":
      return { kind: "required", text: t("private:required") };
    case "WRONG_PASSWORD":
      return { kind: "wrong", text: t("private:wrong") };
    case "PASSWORD_THROTTLED": {
      const s = err instanceof ApiError && err.retryAfterS !== undefined ? err.retryAfterS : retryAfterOf(message);
      return {
        kind: "throttled",
        text: t("private:throttled", { wait: waitText(s) }),
        ...(s === null ? {} : { retryAfterS: s }),
      };
    }
    default:
      return null;
  }
}

/**
 * Run `attempt` (first without a password, or with `initial`), and while it is refused for the
 * password ask for one with `ask` (given the refusal in words) and try again. Resolves with the
 * attempt's result and the password that worked (undefined: none was needed), or null when the
 * person gave up (`ask` resolved null). Any other error rejects as it came.
 */
export async function withPassword<T>(
  attempt: (password: string | undefined) => Promise<T>,
  ask: (problem: PasswordProblem) => Promise<string | null>,
  initial?: string,
): Promise<{ result: T; password: string | undefined } | null> {
  let password = initial;
  for (;;) {
    try {
      return { result: await attempt(password), password };
    } catch (err) {
      const problem = passwordProblem(err);
      if (!problem) throw err;
      const next = await ask(problem);
      if (next === null) return null;
      password = next;
    }
  }
}

/**
 * The password dialog: `title`, the refusal `problem` in words, a password field; resolves with
 * what was entered (checked with validateGamePassword), or null on Cancel / Escape.
 */
export function askPassword(title: string, problem: PasswordProblem): Promise<string | null> {
  const dialog = $("game-password-dialog");
  const form = $<HTMLFormElement>("game-password-form");
  const input = $<HTMLInputElement>("game-password");
  const error = $("game-password-error");
  setText($("game-password-title"), title);
  setText(error, problem.text);
  error.dataset.kind = problem.kind;
  input.value = "";
  show(dialog, true);
  input.focus();
  return new Promise((resolve) => {
    const done = (value: string | null) => {
      form.removeEventListener("submit", submit);
      $("game-password-cancel").removeEventListener("click", cancel);
      dialog.removeEventListener("keydown", onKey);
      input.value = "";
      show(dialog, false);
      resolve(value);
    };
    const submit = (e: Event) => {
      e.preventDefault();
      const bad = validateGamePassword(input.value);
      if (bad) {
        setText(error, bad);
        error.dataset.kind = "invalid";
        return;
      }
      done(input.value);
    };
    const cancel = () => done(null);
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") done(null);
    };
    form.addEventListener("submit", submit);
    $("game-password-cancel").addEventListener("click", cancel);
    dialog.addEventListener("keydown", onKey);
  });
}
