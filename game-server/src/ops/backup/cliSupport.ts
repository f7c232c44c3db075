/** What the backup and restore commands share: settings, the database they talk to, exit codes. */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type ParseArgsOptionsConfig, parseArgs } from "node:util";
import { type Config, ConfigError, loadConfig } from "../../config.ts";

export const REPO_ROOT = resolve(fileURLToPath(import.meta.url), "../../../../..");

/** Exit codes of `npm run backup` and `npm run restore`. */
export const EXIT = { ok: 0, failed: 1, usage: 2, refused: 3, nothingToRestore: 4 } as const;

/**
 * The command line parsed against `options` (plus -h/--help): its values, or the exit code to
 * return — EXIT.ok after printing `usage` for --help, EXIT.usage after printing the parser's
 * complaint and `usage` to stderr.
 */
export function parseCommandLine(options: ParseArgsOptionsConfig, usage: string): Record<string, unknown> | number {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ options: { ...options, help: { type: "boolean", short: "h" } } }));
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${usage}`);
    return EXIT.usage;
  }
  if (values.help) {
    console.log(usage);
    return EXIT.ok;
  }
  return values;
}

/** The configuration (same variables as a node), or exit 2 with the config's own message. */
export function configOrExit(): Config {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(EXIT.usage);
  }
}

/** BACKUP_DIR resolved against the repository (as the node resolves DATA_DIR). */
export const backupDirOf = (config: Config) => resolve(REPO_ROOT, config.backupDir);
export const dataDirOf = (config: Config) => resolve(REPO_ROOT, config.dataDir);

/** DATABASE_URL, else the embedded PostgreSQL a node or `npm run cluster` runs on EMBEDDED_PG_PORT. */
export function databaseUrlOf(config: Config): string {
  return config.databaseUrl ?? `postgresql://tabula:tabula@127.0.0.1:${config.embeddedPgPort}/tabula`;
}

/** A progress line on stdout, prefixed with the command's name. */
export const progressLine = (command: string) => (line: string) => console.log(`${command}: ${line}`);

/**
 * What went wrong, for a command's last line: a refused connection to the embedded PostgreSQL says
 * that it runs only while Tabula does (npm start, npm run cluster), instead of a bare ECONNREFUSED.
 */
export function failureMessage(err: unknown, config: Config | undefined): string {
  const e = err as { code?: string; message?: string };
  if (e?.code === "ECONNREFUSED" && config) {
    return config.databaseUrl
      ? `PostgreSQL does not answer at DATABASE_URL (${e.message}): is it running?`
      : `the embedded PostgreSQL does not answer on port ${config.embeddedPgPort} (EMBEDDED_PG_PORT): it runs only while Tabula does — start it (npm start, or npm run cluster) and run this again, or set DATABASE_URL`;
  }
  return e?.message ?? String(err);
}

/** The configuration if it loads (for failure messages; the command itself read it with configOrExit). */
export function configIfValid(): Config | undefined {
  try {
    return loadConfig(process.env);
  } catch {
    return undefined;
  }
}
