/**
 * Everything a node answers over plain HTTP, on Colyseus' Express app (the
 * matchmaking routes are Colyseus' own): metrics of every request, the
 * security headers, `/healthz`, the operator API (`/api/admin`), the API
 * (`/api`) and the built browser client with its operator page (`/admin`).
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type express from "express";
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics/metrics.ts";
import { httpMetrics } from "../metrics/http.ts";
import { type AdminDeps, createAdminApi } from "./admin.ts";
import { type ApiDeps, createApi } from "./api.ts";
import { createIdentify } from "./identity.ts";
import { checkOrigin, type OriginPolicy } from "./origin.ts";
import { securityHeaders } from "./securityHeaders.ts";
import { staticClient } from "./staticClient.ts";

/** What the routes need that is not in `config`: the API's dependencies and the node's state. */
export type HttpDeps = Omit<ApiDeps, "rateLimits" | "nodeId" | "accounts"> &
  Pick<AdminDeps, "figures" | "bounds"> & {
    config: Config;
    metrics: Metrics;
    origins: OriginPolicy;
    /** Whether the node is ready (games it owned rebuilt): `/healthz` answers 503 until then. */
    ready: () => boolean;
    /** The repository root: `config.clientDist` is relative to it. */
    root: string;
    log: Logger;
  };

/** Mount the node's HTTP routes on `app`. */
export function mountHttp(app: express.Application, deps: HttpDeps): void {
  const { config, log } = deps;
  app.use(httpMetrics(deps.metrics));
  app.set("trust proxy", config.trustProxy); // who may name the client (rate limits, logs): TRUST_PROXY
  app.disable("x-powered-by");
  // CSP and the other security headers on the client, the API and /healthz (http/securityHeaders.ts).
  app.use(securityHeaders(config.publicAddress?.split("/")[0]));
  // Ready only once the games this node owned are rebuilt (load balancers and tests wait for it).
  app.get("/healthz", (_req, res) => {
    const ready = deps.ready();
    res.status(ready ? 200 : 503).json({ ok: ready, node: config.nodeId });
  });
  const rateLimits = { apiPerMin: config.apiRatePerMin, guestPerMin: config.guestRatePerMin };
  // The operator API (http/admin.ts): before /api, whose router answers 404 for paths it does not know.
  app.use(
    "/api/admin",
    checkOrigin(deps.origins),
    createAdminApi({
      ...deps,
      adminIds: config.adminPlayerIds,
      identify: createIdentify({ db: deps.db, tokens: deps.tokens, online: deps.online, audit: deps.audit }),
      aliveTtlMs: config.nodeAliveTtlMs,
      rateLimits,
    }),
  );
  app.use(
    "/api",
    checkOrigin(deps.origins),
    createApi({ ...deps, nodeId: config.nodeId, rateLimits, accounts: config.accounts }),
  );
  const dist = resolve(deps.root, config.clientDist);
  if (config.clientDist && existsSync(resolve(dist, "index.html"))) {
    // Precompressed (br, gzip), hashed assets immutable, pages revalidated; /admin is the operator page.
    app.use(staticClient(dist));
    log.info({ dist }, "serving the browser client");
  } else if (config.clientDist) {
    log.warn({ dist }, "browser client not built: run `npm run build -w client` (npm start does it for you)");
  }
}
