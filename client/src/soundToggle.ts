/**
 * The top bar's sound switch (DOM): a button that mutes or unmutes the game's
 * sounds (sounds.ts keeps the choice in localStorage). It also lets the page
 * make sound at all: browsers start Web Audio only after a user gesture, so
 * the first press anywhere on the page unlocks it.
 */
import { onLanguageChange, t } from "./i18n/index.ts";
import { type SoundPlayer, sounds } from "./sounds.ts";
import "./styles/feel.css";

/** Add the switch to the top bar (`.topbar-meta`), first in line. Idempotent. */
export function installSoundToggle(player: SoundPlayer = sounds): HTMLButtonElement | null {
  const bar = document.querySelector(".topbar-meta");
  if (!bar) return null;
  const existing = document.getElementById("sound-toggle") as HTMLButtonElement | null;
  if (existing) return existing;
  const button = document.createElement("button");
  button.id = "sound-toggle";
  button.type = "button";
  button.className = "pill sound-toggle";
  const render = () => {
    const muted = player.muted;
    button.textContent = muted ? "🔇" : "🔊";
    button.setAttribute("aria-pressed", String(muted));
    const label = muted ? t("play:soundOff") : t("play:soundOn");
    button.title = label;
    button.setAttribute("aria-label", label);
    button.dataset.muted = String(muted);
    button.dataset.lastSound = player.last ?? "";
    button.dataset.sounds = String(player.count);
  };
  button.addEventListener("click", () => player.setMuted(!player.muted));
  player.onChange(render);
  onLanguageChange(render);
  render();
  bar.prepend(button);
  document.addEventListener("pointerdown", () => player.unlock(), { capture: true, passive: true });
  return button;
}
