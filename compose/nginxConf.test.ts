/**
 * nginx sized from the descriptor limit (fdBudget, renderNginxConf,
 * describeBudget): pure functions, no nginx needed. `nginx -t` on the
 * rendered files is in game-server/test/integration/nginx.test.ts.
 */
import { describe, expect, it } from "vitest";
import { describeBudget, fdBudget, NGINX_FD_RESERVE, NGINX_HTTP_RESERVE, NODE_FD_RESERVE, renderNginxConf } from "./nginxConf.ts";

const directive = (conf: string, name: string) => new RegExp(`^\\s*${name}\\s+(\\S+);`, "m").exec(conf)?.[1];

describe("fdBudget", () => {
  it("gives each worker (limit - reserves) / 2 WebSockets: 2 descriptors each", () => {
    const b = fdBudget({ limit: 20_000, nodes: 2, cores: 2 });
    expect(b.workerConnections).toBe(20_000 - NGINX_FD_RESERVE);
    expect(b.socketsPerWorker).toBe(Math.floor((20_000 - NGINX_FD_RESERVE - NGINX_HTTP_RESERVE) / 2));
    expect(b.socketsPerWorker).toBe(9_768);
    expect(b.workers).toBe(2);
    expect(b.nginxSockets).toBe(2 * 9_768);
    expect(b.socketsPerNode).toBe(20_000 - NODE_FD_RESERVE);
    expect(b.sockets).toBe(19_536);
    expect(b.cappedBy).toBe("nginx");
  });

  it("one node holds one descriptor per socket and can be what caps the cluster", () => {
    const b = fdBudget({ limit: 20_000, nodes: 1, cores: 4 });
    expect(b.nginxSockets).toBe(4 * 9_768);
    expect(b.sockets).toBe(19_800);
    expect(b.cappedBy).toBe("nodes");
  });

  it("adds workers for a wanted number of sockets, up to a ceiling", () => {
    expect(fdBudget({ limit: 20_000, nodes: 4, cores: 2, wantedSockets: 30_000 }).workers).toBe(4);
    expect(fdBudget({ limit: 20_000, nodes: 4, cores: 2, wantedSockets: 1_000 }).workers).toBe(2);
    expect(fdBudget({ limit: 1_024, nodes: 1, cores: 1, wantedSockets: 10_000_000 }).workers).toBe(32);
  });

  it("a tiny limit leaves no sockets rather than a negative number", () => {
    const b = fdBudget({ limit: 100, nodes: 1, cores: 1 });
    expect(b.socketsPerWorker).toBe(0);
    expect(b.sockets).toBe(0);
  });
});

describe("renderNginxConf", () => {
  it("sizes workers, worker_connections and worker_rlimit_nofile from the given limit", () => {
    const conf = renderNginxConf({ budget: fdBudget({ limit: 20_000, nodes: 2, cores: 3 }) });
    expect(directive(conf, "worker_processes")).toBe("3");
    expect(directive(conf, "worker_rlimit_nofile")).toBe("20000");
    expect(directive(conf, "worker_connections")).toBe(String(20_000 - NGINX_FD_RESERVE));
    // each sized line is replaced whole: the shipped comment does not trail the new value
    expect(conf).toMatch(/^\s*worker_connections 19936; {4}# 9768 proxied WebSockets per worker\n/m);
  });

  it("follows a larger limit too (not only lowers the shipped values)", () => {
    const conf = renderNginxConf({ openFilesLimit: 1_000_000 });
    expect(directive(conf, "worker_rlimit_nofile")).toBe("1000000");
    expect(directive(conf, "worker_connections")).toBe(String(1_000_000 - NGINX_FD_RESERVE));
  });

  it("lets the caller choose the number of workers", () => {
    expect(directive(renderNginxConf({ openFilesLimit: 20_000, workerProcesses: 5 }), "worker_processes")).toBe("5");
  });
});

describe("describeBudget", () => {
  it("states the limit, both sides and the total", () => {
    const { lines, warning } = describeBudget(fdBudget({ limit: 20_000, nodes: 2, cores: 2 }), 1_024);
    const text = lines.join("\n");
    expect(text).toContain("20,000 per process");
    expect(text).toContain("soft 1,024");
    expect(text).toContain("2 workers × 9,768 WebSockets");
    expect(text).toContain("about 19,536 WebSockets (capped by nginx)");
    expect(warning).toBeUndefined();
  });

  it("warns, with the shortfall and the remedy, when the limit caps the cluster below the wanted size", () => {
    const b = fdBudget({ limit: 20_000, nodes: 1, cores: 2, wantedSockets: 30_000 });
    const { warning } = describeBudget(b, undefined, 30_000);
    expect(warning).toContain("--max-connections 30,000");
    expect(warning).toContain("caps this cluster at about 19,800 WebSockets, 10,200 short");
    expect(warning).toContain("add nodes (--nodes 2)");
    expect(describeBudget(b, undefined, 19_800).warning).toBeUndefined();
  });
});
