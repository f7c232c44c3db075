import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AuditEventInput } from "../audit/kinds.ts";
import { createPasswordGate, type PasswordAttempt, PasswordRefused } from "./passwordGate.ts";

const log = pino({ level: "silent" });
const HASH = "$argon2id$stored";
const RIGHT = "open sesame";

/** A gate counting in memory (2 wrong per 60 s), a verification that knows RIGHT, and what it audited. */
function gate() {
  const audited: AuditEventInput[] = [];
  const verify = vi.fn(async (hash: string | null, pw: string) => hash === HASH && pw === RIGHT);
  const g = createPasswordGate({ maxWrong: 2, windowS: 60, log, verify, audit: { record: (e) => void audited.push(e) } });
  return { g, verify, audited };
}

const attempt = (password: string | undefined, over: Partial<PasswordAttempt> = {}): PasswordAttempt => ({
  hash: HASH,
  password,
  scope: { gameId: "g1" },
  ip: "10.0.0.1",
  playerId: "p1",
  ...over,
});

/** The refusal `p` rejects with (or null when it resolves). */
const refusal = (p: Promise<void>) =>
  p.then(
    () => null,
    (e: PasswordRefused) => e,
  );

afterEach(() => vi.useRealTimers());

describe("private-game password gate", () => {
  it("lets anything through where there is no password, without a verification", async () => {
    const { g, verify } = gate();
    await g.check(attempt(undefined, { hash: null }));
    await g.check(attempt("whatever", { hash: null }));
    expect(verify).not.toHaveBeenCalled();
  });

  it("asks for a missing password (not counted), refuses a wrong one, admits the right one", async () => {
    const { g, audited } = gate();
    for (let i = 0; i < 5; i++) expect((await refusal(g.check(attempt(undefined))))?.code).toBe("PASSWORD_REQUIRED");
    const wrong = await refusal(g.check(attempt("nope")));
    expect(wrong).toBeInstanceOf(PasswordRefused);
    expect(wrong).toMatchObject({ code: "WRONG_PASSWORD", status: 403 });
    expect(await refusal(g.check(attempt(RIGHT)))).toBeNull();
    expect(audited).toEqual([
      { kind: "password.wrong", playerId: "p1", gameId: "g1", ip: "10.0.0.1", detail: { scope: "game" } },
    ]);
  });

  it("past the wrong ones allowed, refuses every attempt unchecked until the window ends, per address and per player", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const { g, verify, audited } = gate();
    const invite = { scope: { invite: "ABC234" } };
    for (const pw of ["a1", "a2"]) expect((await refusal(g.check(attempt(pw, invite))))?.code).toBe("WRONG_PASSWORD");
    verify.mockClear();
    vi.advanceTimersByTime(20_000);
    const throttled = await refusal(g.check(attempt(RIGHT, invite)));
    expect(throttled).toMatchObject({ code: "PASSWORD_THROTTLED", status: 429, retryAfterS: 40 });
    expect(throttled?.message).toBe("too many wrong passwords; try again in 40 s");
    expect(throttled?.body()).toEqual({
      error: { code: "PASSWORD_THROTTLED", message: "too many wrong passwords; try again in 40 s", retryAfterS: 40 },
    });
    expect(verify).not.toHaveBeenCalled();
    // The same address as another player, and the same player from another address: refused too.
    expect((await refusal(g.check(attempt(RIGHT, { ...invite, playerId: "p2" }))))?.code).toBe("PASSWORD_THROTTLED");
    expect((await refusal(g.check(attempt(RIGHT, { ...invite, ip: "10.0.0.2" }))))?.code).toBe("PASSWORD_THROTTLED");
    // Another player from another address, or another game: not.
    expect(await refusal(g.check(attempt(RIGHT, { ...invite, playerId: "p3", ip: "10.0.0.3" })))).toBeNull();
    expect(await refusal(g.check(attempt(RIGHT)))).toBeNull();
    expect(audited.filter((e) => e.kind === "password.limited")).toHaveLength(3);
    expect(audited[0]).toMatchObject({ kind: "password.wrong", gameId: null, detail: { scope: "invite", invite: "ABC234" } });

    vi.advanceTimersByTime(40_000);
    expect(await refusal(g.check(attempt(RIGHT, invite)))).toBeNull();
    g.close();
  });

  it("never puts the password in an audit event or an error", async () => {
    const { g, audited } = gate();
    const errors: string[] = [];
    for (let i = 0; i < 4; i++) {
      const e = await refusal(g.check(attempt(`secret-guess-${i}`)));
      errors.push(JSON.stringify({ message: e?.message, body: e?.body() }));
    }
    const seen = JSON.stringify(audited) + errors.join();
    expect(seen).not.toContain("secret-guess");
    expect(errors.at(-1)).toContain("PASSWORD_THROTTLED");
  });
});
