// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from "vitest";
import { currentLanguage, initI18n, LANGUAGE_KEY, onLanguageChange, setLanguage, t, translateDom } from "./index.ts";

describe("i18n runtime", () => {
  beforeEach(() => {
    localStorage.clear();
    initI18n("en");
  });

  it("switches language, remembers it, re-translates the page and tells listeners", async () => {
    document.body.innerHTML = `<p id="p" data-i18n="common:language"></p><input id="i" data-i18n-title="common:languageName">`;
    translateDom(document);
    expect(document.getElementById("p")!.textContent).toBe("Language");
    const heard: string[] = [];
    const stop = onLanguageChange((l) => heard.push(l));
    await setLanguage("fr");
    stop();
    expect(currentLanguage()).toBe("fr");
    expect(localStorage.getItem(LANGUAGE_KEY)).toBe("fr");
    expect(document.documentElement.lang).toBe("fr");
    expect(document.getElementById("p")!.textContent).toBe("Langue");
    expect(document.getElementById("i")!.getAttribute("title")).toBe("Français");
    expect(t("common:language")).toBe("Langue");
    expect(heard).toEqual(["fr"]);
    await setLanguage("en");
    expect(t("common:language")).toBe("Language");
  });
});
