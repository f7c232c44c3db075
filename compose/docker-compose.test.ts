/**
 * compose/docker-compose.yml and compose/Dockerfile, offline (no Docker engine here): the file is
 * valid against the Compose specification's JSON schema, and it starts the nodes the way they need
 * (the same contract compose/k8s/manifests.test.ts checks): a unique NODE_ID each with its nginx
 * route in compose/nginx/nodes.conf, ready on /healthz, a stop grace longer than the SIGTERM
 * hand-off, Redis through Sentinels that monitor the name the nodes ask for, PostgreSQL 18.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { nodeEnvProblems, shutdownForceExitSeconds } from "./k8s/nodeContract.ts";
import { DOWN_AFTER_MS, FAILOVER_TIMEOUT_MS } from "./sentinel.ts";
import { validateCompose } from "./k8s/validate.ts";

const read = (name: string) => readFileSync(new URL(name, import.meta.url), "utf8");
// Anchors and merge keys resolved, as `docker compose` does before it validates.
const compose = parse(read("docker-compose.yml"), { merge: true, maxAliasCount: 100 });
const services: Record<string, any> = compose.services;
const nodes = Object.entries(services).filter(([, s]) => s.build?.dockerfile === "compose/Dockerfile");
const nodesConf = read("nginx/nodes.conf");

/** Compose durations ("30s", "1m30s") in seconds. */
const seconds = (d: string) =>
  [...d.matchAll(/(\d+)(h|m|s)/g)].reduce((t, [, n, u]) => t + Number(n) * { h: 3600, m: 60, s: 1 }[u as "h" | "m" | "s"], 0);

describe("compose/docker-compose.yml", () => {
  it("is valid against the Compose specification", () => {
    expect(validateCompose(compose)).toEqual([]);
  });

  it("gives every node a unique NODE_ID, its own address, and both nginx routes to it", () => {
    expect(nodes.length).toBeGreaterThanOrEqual(2);
    const ids = nodes.map(([, s]) => s.environment.NODE_ID);
    expect(new Set(ids).size).toBe(ids.length);
    const upstream = [...nodesConf.matchAll(/^\s*server\s+([\d.]+:\d+);/gm)].map((m) => m[1]).sort();
    const mapBlock = /map \$tabula_node \$tabula_node_addr \{([^}]*)\}/.exec(nodesConf)?.[1] ?? "";
    const map = [...mapBlock.matchAll(/^\s*([a-z0-9-]+)\s+([\d.]+:\d+);/gm)].map((m) => `${m[1]} ${m[2]}`).sort();
    const expected = nodes.map(([, s]) => {
      const address = `${s.networks.tabula.ipv4_address}:${s.environment.PORT}`;
      return { address, route: `${s.environment.NODE_ID} ${address}` };
    });
    expect(upstream).toEqual(expected.map((e) => e.address).sort());
    expect(map).toEqual(expected.map((e) => e.route).sort());
    expect(Object.keys(services.nginx.depends_on).sort()).toEqual(nodes.map(([name]) => name).sort());
  });

  it("starts nodes with settings config.ts knows, ready on /healthz, stopped with time to hand their games over", () => {
    for (const [name, s] of nodes) {
      expect(nodeEnvProblems(Object.keys(s.environment)), name).toEqual([]);
      expect(s.healthcheck.test.join(" "), name).toContain(`127.0.0.1:${s.environment.PORT}/healthz`);
      expect(seconds(s.stop_grace_period), name).toBeGreaterThan(shutdownForceExitSeconds());
      expect(s.environment.DATABASE_URL).toMatch(/@postgres:5432\//);
    }
  });

  it("points the nodes at three Sentinels that monitor the Redis primary under the name the nodes ask for", () => {
    const env = nodes[0][1].environment;
    const sentinels = env.REDIS_SENTINELS.split(",");
    expect(sentinels.length).toBe(3);
    for (const hostPort of sentinels) {
      const [host, port] = hostPort.split(":");
      const command = services[host]?.command?.join(" ") ?? "";
      expect(command, host).toContain(`'port ${port}'`);
      expect(command, host).toContain(`'sentinel monitor ${env.REDIS_SENTINEL_NAME} redis 6379 2'`);
      expect(command, host).toContain("exec redis-sentinel");
      expect(command, host).toContain(`'sentinel down-after-milliseconds ${env.REDIS_SENTINEL_NAME} ${DOWN_AFTER_MS}'`);
      expect(command, host).toContain(`'sentinel failover-timeout ${env.REDIS_SENTINEL_NAME} ${FAILOVER_TIMEOUT_MS}'`);
    }
    expect(services["redis-replica"].command.join(" ")).toContain("--replicaof redis 6379");
  });

  it("has Prometheus (profile monitoring) scrape every node's METRICS_PORT with compose/monitoring's configuration", () => {
    const prom = services.prometheus;
    expect(prom.profiles).toEqual(["monitoring"]);
    expect(prom.volumes).toContain("./monitoring:/etc/tabula-monitoring:ro");
    const command = prom.entrypoint.join(" ");
    const targets = JSON.parse(/'(\[.*\])'/.exec(command)?.[1] ?? "[]");
    const expected = nodes.map(([name, s]) => ({
      targets: [`${name}:${s.environment.METRICS_PORT}`],
      labels: { node: s.environment.NODE_ID },
    }));
    expect(targets).toEqual(expected);
    // compose/monitoring/prometheus.yml reads its targets from targets/*.json beside it, where the command writes them.
    const config = parse(read("monitoring/prometheus.yml"));
    const job = config.scrape_configs.find((j: any) => j.job_name === "tabula");
    expect(job.file_sd_configs[0].files).toContain("targets/*.json");
    expect(command).toContain("> /tmp/tabula/targets/nodes.json");
    expect(command).toContain("--config.file=/tmp/tabula/prometheus.yml");
    for (const [name, s] of nodes) expect(s.environment.METRICS_HOST, name).toBe("0.0.0.0");
  });

  it("runs PostgreSQL 18 and nginx with the shipped configuration and enough descriptors", () => {
    expect(services.postgres.image).toBe("postgres:18");
    expect(services.nginx.volumes).toContain("../nginx:/etc/tabula:ro");
    const rlimit = Number(
      /worker_rlimit_nofile\s+(\d+);/.exec(readFileSync(new URL("../nginx/nginx.conf", import.meta.url), "utf8"))?.[1],
    );
    expect(services.nginx.ulimits.nofile.hard).toBeGreaterThanOrEqual(rlimit);
  });
});

describe("compose/Dockerfile", () => {
  const dockerfile = read("Dockerfile");
  it("builds on Node 24, generates the Prisma client with the repository's script, and runs a node", () => {
    const froms = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    for (const image of froms) expect(image).toMatch(/^node:24[-.]/);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m); // postinstall: game-server/scripts/prisma-generate.mjs
    expect(JSON.parse(read("../package.json")).scripts.postinstall).toBe("node game-server/scripts/prisma-generate.mjs");
    expect(dockerfile).toMatch(/^COPY game-server\/scripts game-server\/scripts$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "game-server\/src\/main.ts"\]$/m);
    expect(read("Dockerfile.dockerignore")).toMatch(/^\*\*\/node_modules$/m);
  });
});
