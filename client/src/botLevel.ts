/**
 * The bot's level: the lobby's picker (#bot-level, remembered in
 * localStorage) and the label the game screen shows next to a bot's name.
 */
import { BOT_LEVELS, type BotLevel, DEFAULT_BOT_LEVEL } from "@tabula/shared/rules";
import { t } from "./i18n/index.ts";

/** Where the last level picked is kept (localStorage). */
export const BOT_LEVEL_KEY = "tabula.botLevel";

const isLevel = (s: unknown): s is BotLevel => BOT_LEVELS.includes(s as BotLevel);

/** The level's name in the current language ("Hard", « Difficile »). */
export function botLevelName(level: BotLevel): string {
  // Literal keys, so the i18n parity test sees each one.
  const names: Record<BotLevel, () => string> = {
    easy: () => t("bots:level.easy"),
    medium: () => t("bots:level.medium"),
    hard: () => t("bots:level.hard"),
  };
  return names[level]();
}

/** The bot badge's text: "BOT · Hard" (just "BOT" when the level is unknown). */
export function botBadge(level: BotLevel | null | undefined): string {
  return level ? t("bots:badgeWithLevel", { level: botLevelName(level) }) : t("bots:badge");
}

/** The level picked in the lobby's #bot-level (default medium); picking one remembers it. */
export function setUpBotLevelPicker(
  select: HTMLSelectElement,
  storage: Pick<Storage, "getItem" | "setItem"> = localStorage,
): () => BotLevel {
  const saved = storage.getItem(BOT_LEVEL_KEY);
  select.value = isLevel(saved) ? saved : DEFAULT_BOT_LEVEL;
  select.addEventListener("change", () => {
    if (isLevel(select.value)) storage.setItem(BOT_LEVEL_KEY, select.value);
  });
  return () => (isLevel(select.value) ? select.value : DEFAULT_BOT_LEVEL);
}
