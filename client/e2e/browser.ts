/**
 * Debian's Chromium driven by playwright-core. No browser is ever downloaded:
 * the system binary is required, and its absence is a test failure with the
 * install command, not a skip.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    // No background networking: this network is closed. (launch() always uses a fresh temporary profile.)
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      // Pages speak English unless a test gives its context another `locale` (the client follows the browser's language).
      "--lang=en-US",
    ],
  });
}
