import { describe, expect, it, vi } from "vitest";
import { ApiError } from "./api.ts";
import { passwordProblem, validateGamePassword, withPassword } from "./privateGame.ts";

/** A refused seat reservation as the SDK rejects it (its code is the HTTP status). */
const reservationError = (code: number, message: string) => Object.assign(new Error(message), { code });

describe("private-game passwords in the client", () => {
  it("checks a password's length (4–64), empty allowed where optional", () => {
    expect(validateGamePassword("", true)).toBeNull();
    expect(validateGamePassword("")).toMatch(/at least 4/);
    expect(validateGamePassword("abc")).toMatch(/at least 4/);
    expect(validateGamePassword("abcd")).toBeNull();
    expect(validateGamePassword("x".repeat(64))).toBeNull();
    expect(validateGamePassword("x".repeat(65))).toMatch(/at most 64/);
  });

  it("words the API's and the seat reservation's refusals, and nothing else", () => {
    expect(passwordProblem(new ApiError(403, "PASSWORD_REQUIRED", "this invite needs its password"))?.kind).toBe("required");
    expect(passwordProblem(new ApiError(403, "WRONG_PASSWORD", "wrong password"))).toEqual({
      kind: "wrong",
      text: "Wrong password. Try again.",
    });
    expect(passwordProblem(reservationError(403, "PASSWORD_REQUIRED: this game is private: give its password"))?.kind).toBe(
      "required",
    );
    expect(passwordProblem(reservationError(429, "PASSWORD_THROTTLED: too many wrong passwords; try again in 42 s"))).toEqual({
      kind: "throttled",
      text: "Too many wrong passwords. Try again in 42 s.",
      retryAfterS: 42,
    });
    expect(passwordProblem(new ApiError(429, "PASSWORD_THROTTLED", "too many wrong passwords; try again in 200 s"))?.text).toBe(
      "Too many wrong passwords. Try again in 4 min.",
    );
    expect(passwordProblem(new ApiError(403, "ORIGIN_NOT_ALLOWED", "no"))).toBeNull();
    expect(passwordProblem(reservationError(429, "too many seat reservations; slow down"))).toBeNull();
    expect(passwordProblem(reservationError(403, "WRONG_PASSWORDS: not ours"))).toBeNull();
  });

  it("tries without a password, asks until one is taken, and returns it", async () => {
    const tried: Array<string | undefined> = [];
    const attempt = vi.fn(async (pw: string | undefined) => {
      tried.push(pw);
      if (pw === undefined) throw reservationError(403, "PASSWORD_REQUIRED: this game is private");
      if (pw !== "right one") throw reservationError(403, "WRONG_PASSWORD: wrong password");
      return "joined";
    });
    const answers = ["wrong one", "right one"];
    const asked: string[] = [];
    const out = await withPassword(attempt, async (p) => {
      asked.push(p.kind);
      return answers.shift() ?? null;
    });
    expect(out).toEqual({ result: "joined", password: "right one" });
    expect(tried).toEqual([undefined, "wrong one", "right one"]);
    expect(asked).toEqual(["required", "wrong"]);
  });

  it("stops when the person cancels, and passes any other error on", async () => {
    const refuse = async () => {
      throw new ApiError(403, "WRONG_PASSWORD", "wrong password");
    };
    expect(await withPassword(refuse, async () => null, "guess")).toBeNull();
    const broken = async () => {
      throw new ApiError(404, "NO_INVITE", "no open invite with that code");
    };
    await expect(withPassword(broken, async () => "never asked")).rejects.toMatchObject({ code: "NO_INVITE" });
    // A game without a password: one attempt, no question.
    const ask = vi.fn();
    expect(await withPassword(async () => 7, ask)).toEqual({ result: 7, password: undefined });
    expect(ask).not.toHaveBeenCalled();
  });
});
