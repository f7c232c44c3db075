import { HTTP_ERRORS, ROOM_ERRORS } from "@tabula/shared/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { ApiError, errorText } from "./apiHttp.ts";
import { codeText, waitText } from "./errorCodes.ts";
import { initI18n, setLanguage } from "./i18n/index.ts";

initI18n("en");
afterEach(() => setLanguage("en"));

describe("server errors in the player's language", () => {
  it("shows the code's words, never the server's English message", async () => {
    const err = new ApiError(401, "BAD_CREDENTIALS", "wrong name or password");
    expect(errorText(err)).toBe("Wrong username or password.");
    await setLanguage("fr");
    expect(errorText(err)).toBe("Nom d’utilisateur ou mot de passe incorrect.");
    expect(errorText(new ApiError(0, "NETWORK", "cannot reach the server"))).toBe("Impossible de joindre le serveur.");
  });

  it("fills the wait of throttled codes, from retryAfterS (HTTP) or retryInS (room)", async () => {
    expect(errorText(new ApiError(429, "LOGIN_THROTTLED", "too many failed logins; try again in 840 s", 840))).toBe(
      "Too many failed logins: try again in 14 min.",
    );
    expect(codeText("PASSWORD_THROTTLED", { retryAfterS: 42 })).toBe("Too many wrong passwords. Try again in 42 s.");
    expect(codeText("PASSWORD_THROTTLED")).toBe("Too many wrong passwords. Try again in a few minutes.");
    await setLanguage("fr");
    expect(codeText("CHAT_RATE_LIMITED", { retryAfterS: 12 })).toBe("Trop de messages\u00a0: réessayez dans 12 s.");
    expect(waitText(null)).toBe("quelques minutes");
  });

  it("has words for every code in both languages, placeholders filled", async () => {
    const codes = [...Object.keys(HTTP_ERRORS), ...Object.keys(ROOM_ERRORS)];
    for (const language of ["en", "fr"] as const) {
      await setLanguage(language);
      for (const code of codes) {
        const text = codeText(code, { retryAfterS: 30 });
        expect(text, `${language} ${code}`).not.toMatch(/\{\{|errors:|httpStatus/);
        expect(text, `${language} ${code}`).not.toContain(code);
      }
    }
  });

  it("names an unknown code, and translates a refusal the SDK relays with its code in front", () => {
    expect(errorText(new ApiError(418, "TEAPOT", "short and stout"))).toBe("The server answered with an error (418 TEAPOT).");
    expect(errorText(new Error("PASSWORD_REQUIRED: this game is private"))).toBe("This game is private: enter its password.");
    expect(errorText(new Error("boom"))).toBe("Something went wrong: boom");
    const lost = new Error("your session ended; log in again");
    lost.name = "SessionLostError";
    expect(errorText(lost)).toBe("Your session ended: log in again.");
  });
});
