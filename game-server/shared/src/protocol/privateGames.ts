/**
 * Private games with a password (docs/protocol.md, "Private games"): an invite
 * may carry a password, which the opponent gives to accept it and every
 * spectator gives to watch the game (join option `password`). The server keeps
 * only an Argon2id hash; a wrong password is refused (WRONG_PASSWORD) and
 * wrong ones are throttled per client address and per player
 * (PASSWORD_THROTTLED, with `retryAfterS`).
 */
import { z } from "zod";
import type { GameKind } from "../rules/types.ts";

/** Shortest and longest private-game password, in characters (any characters: it is never shown). */
export const GAME_PASSWORD_MIN = 4;
export const GAME_PASSWORD_MAX = 64;

/** A private game's password: 4–64 characters, taken as given (no trimming). */
export const GamePassword = z
  .string()
  .min(GAME_PASSWORD_MIN, `at least ${GAME_PASSWORD_MIN} characters`)
  .max(GAME_PASSWORD_MAX, `at most ${GAME_PASSWORD_MAX} characters`);

/** `POST /api/invites`: the game, its time control, and optionally a password that makes it private. */
export const InviteRequest = z.strictObject({
  game: z.enum(["connect4", "chess", "battleship"]),
  timeControl: z.string().max(16).optional(),
  password: GamePassword.optional(),
});

/** `POST /api/invites/<code>/accept`: the invite's password, when it has one. */
export const InviteAcceptRequest = z.strictObject({ password: GamePassword.optional() });

/** `GET /api/invites/<code>`. */
export interface InviteInfoResponse {
  code: string;
  game: GameKind;
  timeControl: string;
  host: { name: string };
  /** Accepting needs the password (and watching the game will too). */
  passwordRequired: boolean;
}

/**
 * What the seat reservation of a private game answers a spectator (HTTP status / SDK `err.code`
 * 403 or 429), as the first word of its `error` message: `PASSWORD_REQUIRED: …`, `WRONG_PASSWORD: …`,
 * `PASSWORD_THROTTLED: … try again in <n> s`.
 */
export const PASSWORD_REFUSALS = ["PASSWORD_REQUIRED", "WRONG_PASSWORD", "PASSWORD_THROTTLED"] as const;
export type PasswordRefusal = (typeof PASSWORD_REFUSALS)[number];

/** The refusal a seat reservation's error message names (its first word), or null for another refusal. */
export function passwordRefusalOf(message: string | undefined): PasswordRefusal | null {
  const word = /^([A-Z_]+):/.exec(message ?? "")?.[1];
  return (PASSWORD_REFUSALS as readonly string[]).includes(word ?? "") ? (word as PasswordRefusal) : null;
}

/** The seconds a PASSWORD_THROTTLED message says to wait ("try again in 42 s"), or null. */
export function retryAfterOf(message: string | undefined): number | null {
  const m = /try again in (\d+) s/.exec(message ?? "");
  return m ? Number(m[1]) : null;
}
