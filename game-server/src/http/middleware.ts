/**
 * The HTTP API's plumbing: async route handlers, body/parameter validation,
 * and the one error handler that turns everything thrown into a
 * `{ error: { code, message } }` answer from the closed set `HTTP_ERRORS`.
 * Internal details (stack traces, SQL, Redis messages) never reach the client.
 */
import type { NextFunction, Request, Response } from "express";
import type { HttpErrorCode } from "@tabula/shared/protocol";
import type { z } from "zod";
import { DbUnavailableError } from "../db/games.ts";
import { ClientError } from "../errors.ts";
import type { Logger } from "../log.ts";

type Handler = (req: Request, res: Response) => Promise<unknown>;

/** Wrap an async handler: its result is sent as JSON, and a rejection reaches the error handler. */
export function route(fn: Handler) {
  return (req: Request, res: Response, next: NextFunction) => {
    fn(req, res).then((body) => {
      if (!res.headersSent) res.json(body);
    }, next);
  };
}

/** Validate `value` with `schema`; a mismatch is a 400 BAD_REQUEST naming the first bad field. */
export function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value ?? {});
  if (!r.success) {
    const i = r.error.issues[0];
    throw new ClientError("BAD_REQUEST", i ? `${i.path.join(".") || "body"}: ${i.message}` : "invalid request");
  }
  return r.data;
}

/** Answer `code` (with its status) and `message`. */
export function send(res: Response, code: HttpErrorCode, message: string): void {
  const err = new ClientError(code, message);
  res.status(err.status).json(err.body());
}

/** express-rate-limit's handler: a 429 RATE_LIMITED with our error shape. */
export function tooMany(message: string) {
  return (_req: Request, res: Response) => send(res, "RATE_LIMITED", message);
}

/** Any path the API does not know: 404 NOT_FOUND. */
export function notFound(_req: Request, _res: Response, next: NextFunction): void {
  next(new ClientError("NOT_FOUND", "no such endpoint"));
}

/**
 * The last middleware: a ClientError answers as itself; express' own body
 * errors become TOO_LARGE / BAD_REQUEST; a database outage is 503 UNAVAILABLE;
 * anything else is logged and answers 500 INTERNAL.
 */
export function errorHandler(log: Logger) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof ClientError) {
      const body = err.body();
      if (body.error.retryAfterS !== undefined) res.set("Retry-After", String(body.error.retryAfterS));
      res.status(err.status).json(body);
      return;
    }
    const e = err as { type?: string; status?: number };
    if (e?.type === "entity.too.large") return send(res, "TOO_LARGE", "request body too large");
    if (e?.type === "entity.parse.failed" || e?.status === 400 || e?.status === 415) {
      return send(res, "BAD_REQUEST", "malformed JSON body");
    }
    if (err instanceof DbUnavailableError) {
      log.error({ err }, "database unavailable");
      return send(res, "UNAVAILABLE", "the database is temporarily unavailable");
    }
    log.error({ err }, "request failed");
    send(res, "INTERNAL", "internal error");
  };
}
