/**
 * The two languages are complete and every key the code uses exists:
 * - English and French have the same keys in every namespace (plural forms
 *   aside: each plural key has at least `_one` and `_other` in both), the same
 *   `{{placeholders}}`, and no empty string;
 * - every "ns:key" literal passed to `t(…)` in client/src and every
 *   `data-i18n…="ns:key"` in index.html and client/src exists;
 * - every server error code (HTTP_ERRORS, ROOM_ERRORS) and the client's own
 *   (TIMEOUT, NETWORK, SESSION_LOST) has its `errors:code.<CODE>` string, so a
 *   player never sees the server's English message;
 * - French follows French typography: a no-break space (U+00A0 or U+202F)
 *   before ; : ! ? and », after «, and ’ rather than ' for apostrophes.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { HTTP_ERRORS, ROOM_ERRORS } from "@tabula/shared/protocol";
import { LANGUAGES } from "./index.ts";

/** Error codes the client makes itself (apiHttp.ts, accountTokens.ts), besides the server's. */
export const CLIENT_ERROR_CODES = ["TIMEOUT", "NETWORK", "SESSION_LOST"] as const;

/** The error codes (server's and client's) without a translation in `strings` ("ns:key" → text). */
export function untranslatedCodes(strings: ReadonlyMap<string, string>): string[] {
  const codes = new Set([...Object.keys(HTTP_ERRORS), ...Object.keys(ROOM_ERRORS), ...CLIENT_ERROR_CODES]);
  return [...codes].filter((code) => !strings.has(`errors:code.${code}`)).sort();
}

const here = fileURLToPath(new URL(".", import.meta.url));
const clientDir = join(here, "..", "..");
const PLURAL = /_(zero|one|two|few|many|other)$/;

type Strings = Map<string, string>;

function flatten(value: unknown, prefix: string, out: Strings): Strings {
  if (typeof value === "string") out.set(prefix, value);
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, String(value));
  return out;
}

/** language → "ns:key" → string */
function locales(): Map<string, Strings> {
  const all = new Map<string, Strings>();
  for (const language of LANGUAGES) {
    const strings: Strings = new Map();
    const dir = join(here, "locales", language);
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
      const ns = file.slice(0, -".json".length);
      for (const [k, v] of flatten(JSON.parse(readFileSync(join(dir, file), "utf8")), "", new Map())) {
        strings.set(`${ns}:${k}`, v);
      }
    }
    all.set(language, strings);
  }
  return all;
}

const placeholders = (s: string): string[] => [...s.matchAll(/\{\{\s*([\w.]+)[^}]*\}\}/g)].map((m) => m[1]!).sort();

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(path));
    else if (/\.(ts|html)$/.test(entry.name) && !entry.name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

/** French typography faults of one string (empty when it is correct). */
export function frenchFaults(text: string): string[] {
  const faults: string[] = [];
  const plain = text.replace(/\{\{[^}]*\}\}/g, "x").replace(/https?:\/\/\S+/g, "x");
  if (plain.includes("'")) faults.push("straight apostrophe: use ’");
  for (const m of plain.matchAll(/(.)([;!?»])/g)) {
    if (m[1] !== "\u00a0" && m[1] !== "\u202f" && !/[;!?]/.test(m[1]!)) faults.push(`no no-break space before "${m[2]}"`);
  }
  // A colon that ends a clause (followed by a space or the end), not one inside "3:00" or "ns:key".
  for (const m of plain.matchAll(/(.):(?=\s|$)/g)) {
    if (m[1] !== "\u00a0" && m[1] !== "\u202f") faults.push('no no-break space before ":"');
  }
  for (const m of plain.matchAll(/«(.)/g)) {
    if (m[1] !== "\u00a0" && m[1] !== "\u202f") faults.push('no no-break space after "«"');
  }
  return faults;
}

describe("i18n", () => {
  const all = locales();
  const en = all.get("en")!;

  it("has every key in both languages, with the same placeholders and no empty string", () => {
    const problems: string[] = [];
    const base = (keys: Iterable<string>) => new Set([...keys].map((k) => k.replace(PLURAL, "")));
    for (const [language, strings] of all) {
      const other = language === "en" ? all.get("fr")! : en;
      const otherBase = base(other.keys());
      for (const [key, text] of strings) {
        if (text.trim() === "") problems.push(`${language} ${key}: empty`);
        if (!otherBase.has(key.replace(PLURAL, ""))) problems.push(`${key}: in ${language} only`);
        if (PLURAL.test(key)) {
          const stem = key.replace(PLURAL, "");
          for (const form of ["_one", "_other"]) {
            if (!strings.has(stem + form)) problems.push(`${language} ${stem}: plural without ${form}`);
          }
          continue;
        }
        const counterpart = other.get(key);
        if (counterpart !== undefined && placeholders(text).join() !== placeholders(counterpart).join()) {
          problems.push(`${key}: placeholders differ between languages`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(en.size).toBeGreaterThan(0);
  });

  it("has every key the code and the page use", () => {
    const used = new Map<string, string>();
    const files = [...sources(join(clientDir, "src")), join(clientDir, "index.html")];
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/\bt\(\s*["'`]([A-Za-z0-9_-]+:[A-Za-z0-9_.-]+)["'`]/g)) used.set(m[1]!, file);
      for (const m of text.matchAll(/data-i18n(?:-[a-z-]+)?="([A-Za-z0-9_-]+:[A-Za-z0-9_.-]+)"/g)) used.set(m[1]!, file);
    }
    const missing = [...used]
      .filter(([key]) => !en.has(key) && !en.has(`${key}_other`))
      .map(([key, file]) => `${key} (${relative(clientDir, file)})`);
    expect(missing).toEqual([]);
    expect(used.size).toBeGreaterThan(0);
  });

  it("translates every server error code in both languages", () => {
    for (const [language, strings] of all) expect(untranslatedCodes(strings), language).toEqual([]);
    // And the check sees a missing one.
    const without = new Map(en);
    without.delete("errors:code.NAME_TAKEN");
    expect(untranslatedCodes(without)).toEqual(["NAME_TAKEN"]);
  });

  it("writes French with French typography", () => {
    const faults = [...all.get("fr")!].flatMap(([key, text]) => frenchFaults(text).map((f) => `${key}: ${f}`));
    expect(faults).toEqual([]);
  });

  it("catches French typography faults", () => {
    expect(frenchFaults("Prêt ?")).toEqual(['no no-break space before "?"']);
    expect(frenchFaults("Prêt\u202f?")).toEqual([]);
    expect(frenchFaults("Temps : 3:00")).toEqual(['no no-break space before ":"']);
    expect(frenchFaults("Temps\u00a0: 3:00")).toEqual([]);
    expect(frenchFaults("l'adversaire")).toEqual(["straight apostrophe: use ’"]);
    expect(frenchFaults("«\u00a0Salut\u00a0»")).toEqual([]);
    expect(frenchFaults("«Salut»")).toHaveLength(2);
  });
});
