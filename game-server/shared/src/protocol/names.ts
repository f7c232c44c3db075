/**
 * Names that cannot pass for someone else's. Two rules, after Unicode's
 * security mechanisms (UTS #39), written out here because no maintained npm
 * package for confusables is available to this project:
 *
 * 1. **One script per name** (`singleScript`, checked by DisplayName): the
 *    letters of a name are all Latin, or all Cyrillic, or all Greek…, so
 *    "Аlice" with a Cyrillic "А" is refused. Common (digits, space, "_", "-")
 *    goes with any script; Han mixes with Hiragana/Katakana (Japanese) and
 *    with Hangul (Korean), as UTS #39's "highly restrictive" level allows.
 * 2. **A skeleton for uniqueness** (`nameSkeleton`, what db/players.ts
 *    nameKey stores): compatibility forms folded (NFKD: fullwidth "Ａ" is
 *    "A"), accents dropped ("Ålice" is "alice"), whole-script look-alikes
 *    mapped to the Latin letters they look like (an all-Cyrillic "ВОВ" is
 *    "bob"), lower-cased, spaces collapsed. Two names with the same skeleton
 *    cannot both exist: the second gets a suffix ("-2"), or is refused as a
 *    username.
 *
 * Plain ASCII names keep their old key (lower-cased, spaces collapsed), so no
 * stored key changed. Not folded, for that reason: look-alikes within ASCII
 * ("I" and "l", "0" and "O", "rn" and "m"); the page shows names in a font
 * where they differ. Controls, bidi and zero-width characters never get in:
 * DisplayName admits letters, digits, space, "_" and "-" only.
 */

/** Scripts told apart (a letter in none of them counts as its own "other" script). */
const SCRIPTS = [
  "Latin",
  "Greek",
  "Cyrillic",
  "Armenian",
  "Hebrew",
  "Arabic",
  "Devanagari",
  "Bengali",
  "Thai",
  "Georgian",
  "Hangul",
  "Hiragana",
  "Katakana",
  "Han",
  "Ethiopic",
  "Tamil",
] as const;
const SCRIPT_RES = SCRIPTS.map((s) => [s, new RegExp(`\\p{Script=${s}}`, "u")] as const);

/** Script groups that may mix in one name (Japanese, Korean). */
const MIXABLE: ReadonlyArray<ReadonlySet<string>> = [new Set(["Han", "Hiragana", "Katakana"]), new Set(["Han", "Hangul"])];

function scriptOf(ch: string): string {
  for (const [name, re] of SCRIPT_RES) if (re.test(ch)) return name;
  return "other";
}

/** Whether every letter of `name` is of one script (or of one mixable group, e.g. Japanese). */
export function singleScript(name: string): boolean {
  const scripts = new Set<string>();
  for (const ch of name) if (/\p{L}/u.test(ch)) scripts.add(scriptOf(ch));
  if (scripts.size <= 1) return true;
  if (scripts.has("other")) return false;
  return MIXABLE.some((group) => [...scripts].every((s) => group.has(s)));
}

/**
 * Letters of other scripts that look like a Latin letter, upper and lower case apart (Cyrillic "В" is
 * "B", but "в" is a small capital, not "b"). From Unicode's confusables list, the unambiguous ones.
 */
const LOOK_ALIKES: Record<string, string> = {
  // Cyrillic capitals
  А: "A",
  В: "B",
  Е: "E",
  К: "K",
  М: "M",
  Н: "H",
  О: "O",
  Р: "P",
  С: "C",
  Т: "T",
  Х: "X",
  У: "Y",
  Ѕ: "S",
  І: "I",
  Ј: "J",
  Ԛ: "Q",
  Ԝ: "W",
  Ү: "Y",
  Һ: "H",
  Ӏ: "I",
  Ԁ: "D",
  Ԍ: "G",
  // Cyrillic small
  а: "a",
  е: "e",
  о: "o",
  р: "p",
  с: "c",
  у: "y",
  х: "x",
  ѕ: "s",
  і: "i",
  ј: "j",
  ԁ: "d",
  һ: "h",
  ԛ: "q",
  ԝ: "w",
  ӏ: "l",
  ү: "y",
  ɡ: "g",
  // Greek capitals
  Α: "A",
  Β: "B",
  Ε: "E",
  Ζ: "Z",
  Η: "H",
  Ι: "I",
  Κ: "K",
  Μ: "M",
  Ν: "N",
  Ο: "O",
  Ρ: "P",
  Τ: "T",
  Υ: "Y",
  Χ: "X",
  // Greek small
  ο: "o",
  ν: "v",
  α: "a",
  ι: "i",
  κ: "k",
  ρ: "p",
  υ: "u",
  χ: "x",
  γ: "y",
  // Armenian and Latin extensions
  օ: "o",
  ո: "n",
  ս: "u",
  ց: "g",
  ı: "i",
  ɑ: "a",
  ǀ: "l",
};

/** The form of `name` two look-alike names share (see the header); what uniqueness is checked on. */
export function nameSkeleton(name: string): string {
  const folded = name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .replace(/[^\x20-\x7e]/g, (ch) => LOOK_ALIKES[ch] ?? ch);
  return folded.trim().replace(/\s+/g, " ").toLowerCase();
}
