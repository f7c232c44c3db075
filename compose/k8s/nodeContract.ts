/**
 * What a game-server node expects of whatever starts it, read from the node's own sources so that
 * the manifests' tests (compose/k8s, compose/docker-compose.yml) follow them when they change.
 */
import { readFileSync } from "node:fs";
import { ENV_SCHEMA } from "../../game-server/src/config.ts";

/**
 * Settings that work in progress adds to config.ts at the same time as the manifests start using them:
 * tolerated while config.ts does not know them yet, an error once it does (so the list empties
 * itself). Empty now: the metrics and Sentinel settings of issue 9 have landed.
 */
export const PENDING_SETTINGS: string[] = [];

/** Environment variable names a node would not understand (config.ts ENV_SCHEMA), or that are listed as pending but known. */
export function nodeEnvProblems(names: string[]): string[] {
  const known = new Set(Object.keys(ENV_SCHEMA.shape));
  const unknown = names
    .filter((n) => !known.has(n) && !PENDING_SETTINGS.includes(n))
    .map((n) => `${n}: not a setting of config.ts`);
  const stale = PENDING_SETTINGS.filter((n) => known.has(n)).map(
    (n) => `${n}: now in config.ts, remove it from PENDING_SETTINGS`,
  );
  return [...unknown, ...stale];
}

/**
 * Seconds a node may take to stop after SIGTERM before it forces its own exit (game-server/src/main.ts:
 * it hands its games over, then drains the move log). Whatever stops a node must wait longer.
 */
export function shutdownForceExitSeconds(): number {
  const main = readFileSync(new URL("../../game-server/src/main.ts", import.meta.url), "utf8");
  const m = /setTimeout\(\(\) => process\.exit\(1\), ([\d_]+)\)/.exec(main);
  if (!m) throw new Error("game-server/src/main.ts: the forced exit after SIGTERM was not found (has the shutdown changed?)");
  return Number(m[1].replaceAll("_", "")) / 1000;
}
