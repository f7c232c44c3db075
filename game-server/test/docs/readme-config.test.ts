/**
 * README.md's "Configuration" table is how operators learn the settings: it
 * must name exactly the variables of the config schema (ENV_SCHEMA in
 * game-server/src/config.ts), each with the schema's default.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ENV_SCHEMA } from "../../src/config.ts";
import { leadingCode, tableUnder } from "./markdown.ts";

const REPO_ROOT = resolve(fileURLToPath(import.meta.url), "../../../..");
const rows = tableUnder(readFileSync(join(REPO_ROOT, "README.md"), "utf8"), "Configuration");
const shape = ENV_SCHEMA.shape as Record<string, { parse(v: unknown): unknown }>;

describe("README.md's configuration table matches the config schema", () => {
  it("lists every variable, and no other", () => {
    const documented = rows.map((r) => leadingCode(r.variable));
    expect([...documented].sort()).toEqual(Object.keys(shape).sort());
  });

  it("gives each variable the schema's default", () => {
    for (const r of rows) {
      const name = leadingCode(r.variable) as string;
      const field = shape[name];
      if (!field) continue; // reported by the test above
      const fallback = field.parse(undefined);
      const shown = leadingCode(r.default);
      if (fallback === undefined) {
        // No default in the schema: the README says so ("—") or describes what happens, without a literal value.
        expect(shown, `${name}: the schema has no default, the README shows \`${shown}\``).toBeNull();
      } else {
        // The README's literal default, read by the schema, is the schema's default.
        expect(shown, `${name}: the README shows no default, the schema's is ${JSON.stringify(fallback)}`).not.toBeNull();
        expect(field.parse(shown), name).toEqual(fallback);
      }
    }
  });
});
