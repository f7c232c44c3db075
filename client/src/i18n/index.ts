/**
 * The client's languages, through i18next: English and French, every string
 * of the player's client.
 *
 * Strings live in `locales/<language>/<namespace>.json`, one namespace per
 * part of the client (common, lobby, game, …): a new JSON file is picked up
 * by itself (Vite's `import.meta.glob`). A key is written "namespace:key"
 * ("lobby:quickPlay"); plural keys carry i18next's suffixes (`_one`, `_other`).
 * `parity.test.ts` fails when a key is missing in either language, when a key
 * used in the code or in index.html does not exist, or when French text breaks
 * French typography (a no-break space before ; : ! ? », ’ for apostrophes).
 *
 * The language is picked once at start: the one the player chose (the top
 * bar's switch, kept in localStorage under LANGUAGE_KEY), else the browser's
 * first language we have, else English. Static markup carries `data-i18n`
 * attributes that `translateDom` fills; code that renders text calls `t` each
 * time it renders and re-renders on `onLanguageChange`.
 */
import i18next, { type TOptions } from "i18next";
import LanguageDetector from "i18next-browser-languagedetector";

/** The languages the client speaks; the first is the fallback. */
export const LANGUAGES = ["en", "fr"] as const;
export type Language = (typeof LANGUAGES)[number];

/** Where the player's chosen language is kept (localStorage). */
export const LANGUAGE_KEY = "tabula.lang";

type Resources = Record<Language, Record<string, Record<string, unknown>>>;

/** Every locale file, as { en: { common: {…}, lobby: {…} }, fr: {…} }. */
export function loadResources(): Resources {
  const files = import.meta.glob<Record<string, unknown>>("./locales/*/*.json", { eager: true, import: "default" });
  const resources: Resources = { en: {}, fr: {} };
  for (const [path, strings] of Object.entries(files)) {
    const match = /\.\/locales\/([a-z]+)\/([A-Za-z0-9_-]+)\.json$/.exec(path);
    if (!match || !isLanguage(match[1])) continue;
    resources[match[1]][match[2]!] = strings;
  }
  return resources;
}

export function isLanguage(value: unknown): value is Language {
  return typeof value === "string" && (LANGUAGES as readonly string[]).includes(value);
}

let started = false;
const listeners = new Set<(language: Language) => void>();

/**
 * Start i18next (synchronously: the strings are bundled). `language` forces
 * one (tests); otherwise the stored choice, then the browser's languages.
 * Idempotent.
 */
export function initI18n(language?: Language): void {
  if (started) {
    if (language && language !== currentLanguage()) void i18next.changeLanguage(language);
    return;
  }
  started = true;
  const resources = loadResources();
  i18next.use(LanguageDetector).init({
    resources,
    lng: language,
    supportedLngs: [...LANGUAGES],
    nonExplicitSupportedLngs: true,
    load: "languageOnly",
    fallbackLng: LANGUAGES[0],
    ns: Object.keys(resources.en),
    defaultNS: "common",
    // Text only ever reaches the page through textContent: nothing to escape, and escaping would show "&lt;".
    interpolation: { escapeValue: false },
    returnNull: false,
    initAsync: false,
    detection: {
      order: ["localStorage", "navigator"],
      lookupLocalStorage: LANGUAGE_KEY,
      caches: [],
    },
  });
  i18next.on("languageChanged", () => {
    const now = currentLanguage();
    if (typeof document !== "undefined") document.documentElement.lang = now;
    for (const listener of listeners) listener(now);
  });
  if (typeof document !== "undefined") document.documentElement.lang = currentLanguage();
}

/** The string `key` ("namespace:key") in the current language, with `{{name}}` placeholders filled from `options`. */
export function t(key: string, options: TOptions = {}): string {
  if (!started) initI18n();
  return i18next.t(key, options) as string;
}

/** Whether `key` exists (in the current language or the fallback). */
export function hasKey(key: string): boolean {
  if (!started) initI18n();
  return i18next.exists(key);
}

/** The language in use. */
export function currentLanguage(): Language {
  const resolved = i18next.resolvedLanguage ?? i18next.language;
  return isLanguage(resolved) ? resolved : LANGUAGES[0];
}

/** Switch language, remember the choice (localStorage), re-translate the page and tell every listener. */
export async function setLanguage(language: Language): Promise<void> {
  if (!started) initI18n();
  try {
    localStorage.setItem(LANGUAGE_KEY, language);
  } catch {
    // Storage refused (private mode): the switch still applies to this page.
  }
  await i18next.changeLanguage(language);
  if (typeof document !== "undefined") translateDom(document);
}

/** Call `listener` after every language switch; returns the unsubscribe. */
export function onLanguageChange(listener: (language: Language) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Attributes `translateDom` fills: `data-i18n-<attr>="ns:key"` sets `<attr>`. */
const TRANSLATED_ATTRIBUTES = ["placeholder", "title", "aria-label", "alt"] as const;

/**
 * Fill every element under `root` that carries a `data-i18n` attribute (its
 * text) or `data-i18n-placeholder` / `-title` / `-aria-label` / `-alt` (that
 * attribute), whose value is a "namespace:key", with the current language's string.
 */
export function translateDom(root: ParentNode): void {
  if (!started) initI18n();
  for (const el of root.querySelectorAll<HTMLElement>("[data-i18n]")) {
    const key = el.dataset.i18n;
    if (key) el.textContent = t(key);
  }
  for (const attr of TRANSLATED_ATTRIBUTES) {
    for (const el of root.querySelectorAll<HTMLElement>(`[data-i18n-${attr}]`)) {
      const key = el.getAttribute(`data-i18n-${attr}`);
      if (key) el.setAttribute(attr, t(key));
    }
  }
}
