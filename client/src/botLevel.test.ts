// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from "vitest";
import { BOT_LEVEL_KEY, botBadge, botLevelName, setUpBotLevelPicker } from "./botLevel.ts";
import { initI18n, setLanguage } from "./i18n/index.ts";
import { loadPage } from "./testing/dom.ts";

describe("bot level", () => {
  beforeEach(() => {
    localStorage.clear();
    initI18n("en");
    loadPage();
  });

  it("the lobby's picker starts at medium, and remembers the level picked", () => {
    const select = document.getElementById("bot-level") as HTMLSelectElement;
    const level = setUpBotLevelPicker(select);
    expect(level()).toBe("medium");
    select.value = "hard";
    select.dispatchEvent(new Event("change"));
    expect(level()).toBe("hard");
    expect(localStorage.getItem(BOT_LEVEL_KEY)).toBe("hard");
    // A new page load picks it again; a stored value that is no level is ignored.
    loadPage();
    expect(setUpBotLevelPicker(document.getElementById("bot-level") as HTMLSelectElement)()).toBe("hard");
    localStorage.setItem(BOT_LEVEL_KEY, "grandmaster");
    loadPage();
    expect(setUpBotLevelPicker(document.getElementById("bot-level") as HTMLSelectElement)()).toBe("medium");
  });

  it("offers the three levels, and names them in English and French", async () => {
    const options = [...(document.getElementById("bot-level") as HTMLSelectElement).options].map((o) => o.value);
    expect(options).toEqual(["easy", "medium", "hard"]);
    expect(botBadge("hard")).toBe("BOT · Hard");
    expect(botBadge(null)).toBe("BOT");
    await setLanguage("fr");
    expect(botLevelName("easy")).toBe("Facile");
    expect(botBadge("medium")).toBe("BOT · Moyen");
  });
});
