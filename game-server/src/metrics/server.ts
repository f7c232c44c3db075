/**
 * The metrics listener: `GET /metrics` in Prometheus' text format, on its own
 * port (METRICS_PORT, bound to METRICS_HOST, loopback by default) — not on the
 * game port, so nginx, which routes the public paths to the game port, never
 * exposes it. Everything else answers 404.
 */
import { createServer, type Server } from "node:http";
import type { Logger } from "../log.ts";
import type { Metrics } from "./metrics.ts";

export interface MetricsListener {
  /** The port it listens on (the one the OS chose when 0 was asked). */
  port: number;
  close(): Promise<void>;
}

/**
 * Serve `metrics` on `host`:`port` (0: any free port). Resolves once listening;
 * with the port taken (EADDRINUSE) it logs a warning and resolves undefined —
 * a node without metrics still serves its games — any other failure rejects.
 */
export async function serveMetrics(
  metrics: Pick<Metrics, "registry">,
  opts: { host: string; port: number; log: Logger },
): Promise<MetricsListener | undefined> {
  const { registry } = metrics;
  const server: Server = createServer((req, res) => {
    if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found: GET /metrics\n");
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { "content-type": registry.contentType }).end(body),
      (err: Error) => {
        opts.log.warn({ err: err.message }, "metrics collection failed");
        res.writeHead(500, { "content-type": "text/plain" }).end("metrics collection failed\n");
      },
    );
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port, opts.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE") throw err;
    opts.log.warn(
      { host: opts.host, port: opts.port },
      "metrics port already in use: this node serves no metrics (give each node its own METRICS_PORT, or 0)",
    );
    return undefined;
  }
  const port = (server.address() as { port: number }).port;
  opts.log.info({ url: `http://${opts.host}:${port}/metrics` }, "serving Prometheus metrics");
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
