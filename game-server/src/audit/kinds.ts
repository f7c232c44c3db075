/**
 * The audit log's closed list of event kinds and what each one's `detail`
 * carries (table "AuditEvent"; docs/security.md, "Audit log"). Only events an
 * operator or a security review asks about afterwards are here: who came in,
 * what was refused, which node lost or took a game, who administered what.
 * Ordinary log lines stay in the logs.
 *
 * Kinds that a flood can repeat (refusals, rate-limit cut-offs) are recorded
 * once per (kind, address or player) per window (AUDIT_FLOOD_WINDOW_S): their
 * detail carries `count`, how many occurrences the row stands for (throttle.ts).
 */
import { z } from "zod";

/** Present on every throttled kind: the occurrences this row stands for (the first one alone, or the rest of a window). */
const Repeats = z.object({ count: z.number().int().positive() });

/** The detail schema of each fixed kind. `admin.<action>` (any action) is described by AdminDetail. */
export const AUDIT_DETAILS = {
  /** A guest identity was created (POST /api/guest). */
  "identity.created": z.object({ name: z.string() }),
  /**
   * A player started a session on this node (GET /api/me, what the client calls on start): once per player per node
   * per hour. A password login (POST /api/sessions, `method` "password") is recorded every time.
   */
  login: z.object({ name: z.string(), method: z.enum(["password"]).optional() }),
  /** An account was registered (POST /api/accounts); `claimed`: a guest became it, keeping its id and games. */
  "account.registered": z.object({ name: z.string(), claimed: z.boolean() }),
  /**
   * A login or password change was refused for a wrong password. `known`: the name has an account (then playerId is
   * set); the typed name is never recorded (people type passwords into it).
   */
  "login.failed": Repeats.extend({ known: z.boolean() }),
  /** A login was refused by the login throttle (429 LOGIN_THROTTLED): too many failures for the `name` or from the `ip`. */
  "login.throttled": Repeats.extend({ scope: z.enum(["name", "ip"]) }),
  /** A rotated refresh token was presented again (stolen or replayed): its whole family was revoked. */
  "session.reuse": z.object({ familyId: z.string() }),
  /** A session was ended by logout (its refresh-token family revoked). */
  "session.logout": z.object({ familyId: z.string() }),
  /** An account changed its password: every session of it was ended (`sessionsRevoked` families). */
  "password.changed": z.object({ sessionsRevoked: z.number().int().min(0) }),
  /** An identity token was refused (missing, bad signature, expired, unknown player). `where`: the API or a seat reservation. */
  "token.refused": Repeats.extend({ where: z.enum(["api", "reservation"]), reason: z.string() }),
  /** A room socket was refused: no or an unknown, used or expired join ticket (4400), a token in the URL (4401), a page not allowed (403). */
  "join.refused": Repeats.extend({ close: z.number().int(), reason: z.string() }),
  /**
   * A client was cut off by a rate limit: an HTTP limiter (429; `limiter` api or guest), seat reservations
   * per player (429; join), a room-message flood (socket closed; messages), or chat messages per player (chat).
   */
  "ratelimit.cutoff": Repeats.extend({ limiter: z.enum(["api", "guest", "join", "messages", "chat"]) }),
  /**
   * A player (playerId) reported a chat message: the message as stored (its id, channel, sender and text)
   * and the reporter's reason. Shown under Reports on the operator page.
   */
  "chat.report": z.object({
    messageId: z.string(),
    channel: z.string(),
    senderId: z.string(),
    senderName: z.string(),
    text: z.string(),
    reason: z.string(),
  }),
  /**
   * A wrong password for a private game: accepting its invite (`scope` invite, with the code) or watching it
   * (`scope` game). Never the password. Bounded by the password throttle (GAME_PASSWORD_MAX_WRONG).
   */
  "password.wrong": z.object({ scope: z.enum(["invite", "game"]), invite: z.string().optional() }),
  /** An attempt refused unchecked because this address or player gave too many wrong passwords (PASSWORD_THROTTLED). */
  "password.limited": Repeats.extend({ scope: z.enum(["invite", "game"]), invite: z.string().optional() }),
  /** A write of this node was refused because another node's fencing token replaced ours: it gave the game up. */
  "write.fenced": z.object({ reason: z.string() }),
  /** This node rebuilt a game from the move log: `from` the node that had it (if known), `why` (node dead, lease gone…). */
  "game.takeover": z.object({ from: z.string().nullable(), why: z.string() }),
  /** This node started serving. */
  "node.start": z.object({ version: z.string().optional(), transport: z.string().optional() }),
  /** This node is stopping (SIGTERM/SIGINT or a test's stop): its live games are handed over. */
  "node.stop": z.object({ reason: z.string().optional() }),
} as const;

/** What an operator did on the operator page (kind `admin.<action>`): free-form, small, never secrets. */
export const AdminDetail = z.record(z.string(), z.unknown());

export type FixedAuditKind = keyof typeof AUDIT_DETAILS;
/** An admin action's kind: `admin.` and a lower-case action name, e.g. `admin.view_audit`. */
export type AdminAuditKind = `admin.${string}`;
export type AuditKind = FixedAuditKind | AdminAuditKind;

/** The fixed kinds, for validation and docs. */
export const AUDIT_KINDS = Object.keys(AUDIT_DETAILS) as FixedAuditKind[];

/** `admin.` and an action: lower-case letters, digits, `_ . -`, within the column's 40 characters. */
const ADMIN_KIND = /^admin\.[a-z][a-z0-9_.-]{0,33}$/;

/** Whether `kind` may be recorded: one of the fixed kinds, or `admin.<action>` within the column's 40 characters. */
export function isAuditKind(kind: string): kind is AuditKind {
  return Object.hasOwn(AUDIT_DETAILS, kind) || ADMIN_KIND.test(kind);
}

/** The detail of `K` (without `count` for throttled kinds: the throttle adds it). */
export type AuditDetail<K extends AuditKind> = K extends FixedAuditKind
  ? Omit<z.input<(typeof AUDIT_DETAILS)[K]>, "count">
  : Record<string, unknown>;

/**
 * One event as recorded by the code where it happens. Subject columns are
 * optional: what the event is about (a player, a game, a client address).
 */
export type AuditEventInput<K extends AuditKind = AuditKind> = {
  kind: K;
  /** The player concerned (a UUID); anything else is kept in detail instead. */
  playerId?: string | null;
  gameId?: string | null;
  /** The client's address, as the node sees it (behind nginx: the forwarded one). */
  ip?: string | null;
  detail: AuditDetail<K>;
};

/** What the code where an event happens is given (audit/writer.ts implements it): record it, and go on. */
export interface AuditSink {
  /** Queue `event` for the audit log (stamped now). Never throws, never waits. */
  record<K extends AuditKind>(event: AuditEventInput<K>): void;
}

/** Kinds a flood can repeat: recorded once per (kind, ip or player) per window, with a count (throttle.ts). */
export const THROTTLED_KINDS: ReadonlySet<AuditKind> = new Set<AuditKind>([
  "token.refused",
  "join.refused",
  "ratelimit.cutoff",
  "password.limited",
  "login.failed",
  "login.throttled",
]);
