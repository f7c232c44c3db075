/**
 * The top bar's language switch (EN / FR): a button per language, the one in
 * use pressed. A click switches at once, without a reload: `setLanguage`
 * remembers the choice (localStorage), re-fills the page's `data-i18n`
 * markup, and every module that renders text re-renders on `onLanguageChange`.
 */
import "./styles/i18n.css";
import { currentLanguage, isLanguage, onLanguageChange, setLanguage } from "./i18n/index.ts";

/** Wire the buttons (`data-lang="en"`, …) inside `root`. */
export function installLanguageSwitch(root: HTMLElement): void {
  const buttons = [...root.querySelectorAll<HTMLButtonElement>("button[data-lang]")];
  const mark = () => {
    for (const b of buttons) b.setAttribute("aria-pressed", String(b.dataset.lang === currentLanguage()));
  };
  for (const b of buttons) {
    b.addEventListener("click", () => {
      const language = b.dataset.lang;
      if (isLanguage(language) && language !== currentLanguage()) void setLanguage(language);
    });
  }
  onLanguageChange(mark);
  mark();
}
