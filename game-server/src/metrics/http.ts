/**
 * HTTP request metrics as an express middleware: every answered request is
 * counted by method, route *pattern* (`/api/games/:id`, never the raw path, so
 * game ids and ticket ids do not become label values) and status, and timed.
 * A 429 also counts as a rate-limit refusal. Requests that matched no route
 * are labelled "unmatched" (404s) or by their router's mount point (e.g.
 * `/api` when a router-wide rate limit answered before any route).
 */
import type { NextFunction, Request, Response } from "express";
import type { Metrics } from "./metrics.ts";

/** The label for `req` once it has been answered. */
export function routeOf(req: Request, status: number): string {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof pattern === "string") return `${req.baseUrl}${pattern}`;
  if (req.baseUrl) return req.baseUrl;
  return status === 404 ? "unmatched" : "other";
}

/** Mount first, before every router: it only listens for the response's end. */
export function httpMetrics(m: Pick<Metrics, "httpRequests" | "httpSeconds" | "rateLimited">) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const t0 = performance.now();
    res.once("finish", () => {
      const route = routeOf(req, res.statusCode);
      m.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      m.httpSeconds.observe({ route }, (performance.now() - t0) / 1000);
      if (res.statusCode === 429) m.rateLimited.inc({ route });
    });
    next();
  };
}
