// @vitest-environment happy-dom
/** The lobby's account card (accountPanel.ts): guest vs account, the forms, errors as text. */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { passwordProblem, AccountPanel } from "./accountPanel.ts";
import { type Api, ApiError, type Identity } from "./api.ts";
import { click, hidden, loadPage, text } from "./testing/dom.ts";

const guest: Identity = { token: "g", id: "p1", name: "Swift Rook" };
const account: Identity = { token: "a", id: "p1", name: "Ann", account: true };

function setup(api: Partial<Api>) {
  loadPage();
  const changed = vi.fn();
  const full = { identity: guest, ...api } as unknown as Api;
  const panel = new AccountPanel(full, changed);
  panel.show(full.identity as Identity);
  return { panel, changed, api: full };
}

const fill = (id: string, value: string) => {
  (document.getElementById(id) as HTMLInputElement).value = value;
};
const submit = (id: string) =>
  (document.getElementById(id) as HTMLFormElement).dispatchEvent(new Event("submit", { cancelable: true }));
const settle = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => {
  vi.restoreAllMocks();
});

describe("passwordProblem", () => {
  it("asks for 8 to 128 characters (counted as characters, not bytes) and not the name", () => {
    expect(passwordProblem("1234567", "Ann")).toMatch(/at least 8/);
    expect(passwordProblem("ééééééé€", "Ann")).toBeNull();
    expect(passwordProblem("x".repeat(129), "Ann")).toMatch(/at most 128/);
    expect(passwordProblem("Ann Smith", "ann smith")).toMatch(/username/);
  });
});

describe("AccountPanel", () => {
  it("shows a guest with the sign-up and log-in buttons, an account with password and log-out", () => {
    const { panel } = setup({});
    expect(text("account-status")).toBe("Playing as a guest: Swift Rook");
    expect(text("account-kind")).toBe("guest");
    expect(hidden("guest-area")).toBe(false);
    expect(hidden("member-area")).toBe(true);
    panel.show(account);
    expect(text("account-status")).toBe("Logged in as Ann");
    expect(text("account-kind")).toBe("account");
    expect(hidden("guest-area")).toBe(true);
    expect(hidden("member-area")).toBe(false);
  });

  it("signs up claiming this guest by default, with the guest's name prefilled", async () => {
    const register = vi.fn(async () => account);
    const { changed } = setup({ register });
    click("show-signup");
    expect(hidden("signup-form")).toBe(false);
    expect((document.getElementById("signup-name") as HTMLInputElement).value).toBe("Swift Rook");
    fill("signup-name", "Ann");
    fill("signup-password", "correct horse");
    submit("signup-form");
    await settle();
    expect(register).toHaveBeenCalledWith("Ann", "correct horse", true);
    expect(changed).toHaveBeenCalled();
    expect(hidden("signup-form")).toBe(true);
    expect((document.getElementById("signup-password") as HTMLInputElement).value).toBe("");
  });

  it("refuses a bad password before asking the server, and shows the server's words as text", async () => {
    const login = vi.fn(async () => {
      throw new ApiError(429, "LOGIN_THROTTLED", "too many failed logins; try again in 840 s", 840);
    });
    const register = vi.fn();
    setup({ login, register });
    click("show-signup");
    fill("signup-password", "short");
    submit("signup-form");
    await settle();
    expect(register).not.toHaveBeenCalled();
    expect(text("account-error")).toBe("Password: at least 8 characters");

    click("show-login");
    fill("login-name", "ann");
    fill("login-password", "<b>guess</b>");
    submit("login-form");
    await settle();
    expect(text("account-error")).toBe("Too many failed logins: try again in 14 min."); // the code, in words
    expect(hidden("account-error")).toBe(false);
    expect(hidden("login-form")).toBe(false);
    expect(document.getElementById("account-error")?.children).toHaveLength(0);
  });
});
