/**
 * compose/k8s, offline: every YAML file parses; the base and the production overlay render (every
 * resource exists, every patch hits a base object), every object validates against its schema
 * (validate.ts), and the rendered objects keep the contract a game-server node lives by
 * (docs/cluster.md, docs/recovery.md): ready on /healthz, a SIGTERM grace longer than the hand-off,
 * a unique NODE_ID per pod and a /node/<id>/ route to exactly that pod, budgets and autoscaling on
 * the node pods, Sentinel and PostgreSQL where the nodes look for them.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DOWN_AFTER_MS, FAILOVER_TIMEOUT_MS } from "../sentinel.ts";
import { build, type K8sObject, type Rendered, readYamlFile } from "./kustomize.ts";
import { nodeEnvProblems, shutdownForceExitSeconds } from "./nodeContract.ts";
import { DATASOURCE_UID, GENERATED, monitoringManifests, render } from "./syncMonitoring.ts";
import { validateManifest } from "./validate.ts";

const K8S = fileURLToPath(new URL(".", import.meta.url));
const TARGETS = { base: join(K8S, "base"), production: join(K8S, "overlays/production") };

const yamlFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(dir, e.name)) : e.name.endsWith(".yaml") ? [join(dir, e.name)] : [],
  );

const find = (objs: Rendered[], kind: string, name: string): any => {
  const hit = objs.find((r) => r.object.kind === kind && r.object.metadata.name === name);
  if (!hit) throw new Error(`no ${kind}/${name}`);
  return hit.object;
};
const all = (objs: Rendered[], kind: string): any[] => objs.filter((r) => r.object.kind === kind).map((r) => r.object);
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);
const podTemplates = (objs: Rendered[]) => objs.filter((r) => (r.object as any).spec?.template?.spec).map((r) => r.object as any);

describe("compose/k8s files", () => {
  it("every YAML file parses, and every manifest file is a resource of a kustomization", () => {
    const files = yamlFiles(K8S);
    expect(files.length).toBeGreaterThan(5);
    const listed = new Set(
      Object.values(TARGETS).flatMap((dir) => {
        try {
          return build(dir).map((r) => r.source);
        } catch {
          return []; // reported by the "renders" tests
        }
      }),
    );
    for (const file of files) {
      const docs = readYamlFile(file);
      expect(docs.length, relative(K8S, file)).toBeGreaterThan(0);
      // Applied by hand (restore/) or by Helm (ingress-nginx/): checked on their own below.
      if (file.endsWith("kustomization.yaml") || file.includes("/ingress-nginx/") || file.includes("/restore/")) continue;
      expect(listed.has(file), `${relative(K8S, file)} is not listed in any kustomization`).toBe(true);
    }
  });
});

for (const [name, dir] of Object.entries(TARGETS)) {
  describe(`compose/k8s ${name}`, () => {
    // Rendering fails on a missing resource or a patch that hits nothing: the first test says which.
    let objs: Rendered[] = [];
    let renderError: unknown;
    try {
      objs = build(dir);
    } catch (err) {
      renderError = err;
    }
    const found = renderError === undefined;
    const node = found ? find(objs, "StatefulSet", "tabula-node") : undefined;
    const pod = node?.spec.template.spec;
    const container = pod?.containers.find((c: any) => c.name === "node");
    const env = (found ? find(objs, "ConfigMap", "tabula-node-env").data : {}) as Record<string, string>;
    const hpa = found ? find(objs, "HorizontalPodAutoscaler", "tabula-node") : undefined;

    it("renders: every resource exists, every patch targets an object of the base", () => {
      expect(renderError).toBeUndefined();
    });

    it("every object validates against its schema, on GA APIs only, with a unique name", async () => {
      const problems: string[] = [];
      const seen = new Set<string>();
      for (const { source, object } of objs) {
        const id = `${object.kind}/${object.metadata?.name} (${relative(K8S, source)})`;
        for (const p of await validateManifest(object)) problems.push(`${id}: ${p}`);
        if (/(alpha|beta)\d*$/.test(object.apiVersion)) problems.push(`${id}: ${object.apiVersion} is not a GA API`);
        const key = `${object.kind}/${object.metadata?.namespace}/${object.metadata?.name}`;
        if (seen.has(key)) problems.push(`${id}: defined twice`);
        seen.add(key);
      }
      expect(problems).toEqual([]);
      expect(objs.length).toBeGreaterThan(15);
    });

    it("node pods are ready on /healthz at the node's PORT", () => {
      const http = container.ports.find((p: any) => p.name === "http");
      expect(http.containerPort).toBe(Number(env.PORT));
      for (const probe of ["readinessProbe", "startupProbe", "livenessProbe"]) {
        expect(container[probe]?.httpGet, probe).toEqual({ path: "/healthz", port: "http" });
      }
    });

    it("the grace period outlasts the preStop pause and the SIGTERM hand-off (main.ts), and the lease TTL", () => {
      const preStop = container.lifecycle.preStop.sleep.seconds;
      expect(preStop).toBeGreaterThan(0);
      const grace = pod.terminationGracePeriodSeconds;
      expect(grace).toBeGreaterThan(preStop + shutdownForceExitSeconds());
      expect(grace * 1000).toBeGreaterThan(Number(env.LEASE_TTL_MS));
    });

    it("every node pod gets a unique NODE_ID (its pod name) and the environment config.ts knows", () => {
      const nodeId = container.env.find((e: any) => e.name === "NODE_ID");
      expect(nodeId.valueFrom.fieldRef.fieldPath).toBe("metadata.name");
      expect(env.NODE_ID).toBeUndefined();
      const names = [...Object.keys(env), ...container.env.map((e: any) => e.name)];
      expect(nodeEnvProblems(names)).toEqual([]);
      // A pod name is what NODE_ID allows (config.ts: lower-case letters, digits, dashes, at most 32).
      expect(`${node.metadata.name}-${hpa.spec.maxReplicas - 1}`).toMatch(/^[a-z0-9-]{1,32}$/);
    });

    it("the nodes retire no partition; a daily CronJob does, archiving onto a volume it keeps", () => {
      // The nodes' disks are not kept (read-only root, emptyDir): retention there would archive into nothing.
      expect(env.MOVE_KEEP_MONTHS).toBe("0");
      expect(env.AUDIT_KEEP_MONTHS).toBe("0");
      const cron = find(objs, "CronJob", "tabula-partitions");
      expect(cron.spec.concurrencyPolicy).toBe("Forbid");
      const job = cron.spec.jobTemplate.spec.template.spec;
      const c = job.containers[0];
      expect(c.image).toBe(container.image);
      const [, script, ...args] = c.command;
      expect(readFileSync(join(K8S, "../..", script), "utf8")).toContain("--run");
      expect(args).toEqual(["--run"]);
      const own = Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
      expect(Number(own.AUDIT_KEEP_MONTHS)).toBeGreaterThan(0);
      const archives = c.volumeMounts.find((m: any) => m.mountPath === own.BACKUP_DIR);
      const volume = job.volumes.find((v: any) => v.name === archives?.name);
      expect(find(objs, "PersistentVolumeClaim", volume.persistentVolumeClaim.claimName)).toBeDefined();
      // The same database and secret as the nodes, and only settings config.ts knows.
      expect(own.DATABASE_URL).toEqual(container.env.find((e: any) => e.name === "DATABASE_URL").valueFrom);
      expect(nodeEnvProblems([...Object.keys(env), ...Object.keys(own)])).toEqual([]);
    });

    it("every node the autoscaler may start has a /node/<id>/ route to exactly that pod", () => {
      const routes = find(objs, "Ingress", "tabula-node-routes");
      expect(routes.metadata.annotations["nginx.ingress.kubernetes.io/rewrite-target"]).toBe("/$2");
      const paths = routes.spec.rules.flatMap((r: any) => r.http.paths);
      // The autoscaler owns the count: a `replicas` here would be reset by every apply.
      expect(node.spec.replicas).toBeUndefined();
      expect(hpa.spec.maxReplicas).toBeGreaterThanOrEqual(hpa.spec.minReplicas);
      for (let i = 0; i < hpa.spec.maxReplicas; i++) {
        const id = `${node.metadata.name}-${i}`;
        const svc = find(objs, "Service", id);
        expect(svc.spec.selector).toEqual({ "statefulset.kubernetes.io/pod-name": id });
        expect(svc.spec.publishNotReadyAddresses).toBe(true);
        const hits = paths.filter((p: any) => new RegExp(`^${p.path}`).test(`/node/${id}/proc/room`));
        expect(
          hits.map((p: any) => p.backend.service.name),
          id,
        ).toEqual([id]);
        const m = new RegExp(`^${hits[0].path}`).exec(`/node/${id}/proc/room?sessionId=s`);
        expect(`/${m?.[2]}`).toBe("/proc/room?sessionId=s");
        expect(svc.spec.ports[0].targetPort).toBe("http");
      }
    });

    it("both Ingresses serve the host the nodes advertise (PUBLIC_ADDRESS)", () => {
      for (const ing of all(objs, "Ingress")) {
        expect(ing.spec.ingressClassName).toBe("nginx");
        for (const rule of ing.spec.rules) expect(rule.host, ing.metadata.name).toBe(env.PUBLIC_ADDRESS);
      }
      const balanced = find(objs, "Ingress", "tabula").spec.rules[0].http.paths[0];
      expect(balanced.backend.service.name).toBe("tabula-node");
    });

    it("the disruption budget and the autoscaler act on the node pods, and on nothing else", () => {
      const pdb = find(objs, "PodDisruptionBudget", "tabula-node");
      const selected = podTemplates(objs).filter((o) => matches(pdb.spec.selector.matchLabels, o.spec.template.metadata.labels));
      expect(selected.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(["StatefulSet/tabula-node"]);
      expect(pdb.spec.maxUnavailable).toBe(1);
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "StatefulSet", name: "tabula-node" });
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    });

    it("every Service selects pods and names ports they have", () => {
      for (const svc of all(objs, "Service")) {
        const pods = podTemplates(objs).filter((o) => {
          const labels = { ...o.spec.template.metadata.labels };
          // The StatefulSet controller labels each pod with its name.
          const podName = svc.spec.selector["statefulset.kubernetes.io/pod-name"];
          if (o.kind === "StatefulSet" && podName?.startsWith(`${o.metadata.name}-`))
            labels["statefulset.kubernetes.io/pod-name"] = podName;
          return matches(svc.spec.selector, labels);
        });
        expect(pods.length, `Service ${svc.metadata.name} selects no pods`).toBeGreaterThan(0);
        const ports = pods.flatMap((o) => o.spec.template.spec.containers.flatMap((c: any) => c.ports ?? []));
        for (const p of svc.spec.ports)
          expect(
            ports.map((q: any) => q.name),
            `${svc.metadata.name}:${p.name}`,
          ).toContain(p.targetPort);
      }
    });

    it("the ServiceMonitor scrapes the nodes' METRICS_PORT, reachable on the pod's address", () => {
      const sm = find(objs, "ServiceMonitor", "tabula-node");
      const services = all(objs, "Service").filter((s) => matches(sm.spec.selector.matchLabels, s.metadata.labels));
      expect(services.map((s) => s.metadata.name)).toEqual(["tabula-node-pods"]);
      const port = services[0].spec.ports.find((p: any) => p.name === sm.spec.endpoints[0].port);
      const target = container.ports.find((p: any) => p.name === port.targetPort);
      expect(target.containerPort).toBe(Number(env.METRICS_PORT));
      expect(env.METRICS_HOST).toBe("0.0.0.0");
      expect(sm.spec.endpoints[0].path).toBe("/metrics");
    });

    it("the nodes find Redis through its three Sentinels, under the name they monitor", () => {
      const redis = find(objs, "StatefulSet", "redis");
      const sentinels = env.REDIS_SENTINELS.split(",");
      expect(sentinels).toEqual([0, 1, 2].slice(0, redis.spec.replicas).map((i) => `redis-${i}.${redis.spec.serviceName}:26379`));
      const init = redis.spec.template.spec.initContainers[0];
      expect(init.env.find((e: any) => e.name === "SENTINEL_NAME").value).toBe(env.REDIS_SENTINEL_NAME);
      const script = find(objs, "ConfigMap", "redis-config").data["configure.sh"];
      expect(script).toContain("sentinel monitor $SENTINEL_NAME $primary 6379 2");
      // The timings the local cluster's Sentinels use and the failover test proves (compose/sentinel.ts).
      expect(script).toContain(`sentinel down-after-milliseconds $SENTINEL_NAME ${DOWN_AFTER_MS}`);
      expect(script).toContain(`sentinel failover-timeout $SENTINEL_NAME ${FAILOVER_TIMEOUT_MS}`);
      expect(find(objs, "PodDisruptionBudget", "redis").spec.maxUnavailable).toBe(1);
    });

    it("PostgreSQL: replicas, the nodes' DATABASE_URL secret, tablespaces on volumes of their own", () => {
      const db = find(objs, "Cluster", "tabula-db");
      expect(db.spec.instances).toBeGreaterThanOrEqual(2);
      const url = container.env.find((e: any) => e.name === "DATABASE_URL").valueFrom.secretKeyRef;
      expect(url).toEqual({ name: `${db.metadata.name}-app`, key: "uri" });
      // History and replay reads: the operator's read-only Service of the same Cluster, with the app Secret's user.
      const replica = new URL(env.REPLICA_DATABASE_URL);
      expect(replica.hostname).toBe(`${db.metadata.name}-ro`);
      expect(replica.pathname).toBe(`/${db.spec.bootstrap.initdb.database}`);
      expect(replica.username).toBe("");
      expect(db.spec.tablespaces.length).toBeGreaterThanOrEqual(3);
      // Every node the autoscaler may start holds DB_POOL_SIZE connections; keep 20 for the operator,
      // superusers, backups and migrations.
      const maxConnections = Number(db.spec.postgresql.parameters.max_connections);
      expect(hpa.spec.maxReplicas * Number(env.DB_POOL_SIZE)).toBeLessThanOrEqual(maxConnections - 20);
      for (const ts of db.spec.tablespaces) {
        expect(ts.storage.size, ts.name).toMatch(/^\d+Gi$/);
        expect(ts.owner.name).toBe(db.spec.bootstrap.initdb.owner);
      }
    });
  });
}

describe("compose/k8s production", () => {
  let objs: Rendered[] = [];
  try {
    objs = build(TARGETS.production);
  } catch {
    // reported by "compose/k8s production > renders"
  }

  it("archives WAL and takes scheduled backups through the Barman Cloud plugin, synchronously replicated", () => {
    const db = find(objs, "Cluster", "tabula-db");
    expect(db.spec.instances).toBeGreaterThanOrEqual(3);
    expect(db.spec.postgresql.synchronous).toMatchObject({ number: 1, dataDurability: "required" });
    const plugin = db.spec.plugins.find((p: any) => p.name === "barman-cloud.cloudnative-pg.io");
    expect(plugin.isWALArchiver).toBe(true);
    find(objs, "ObjectStore", plugin.parameters.barmanObjectName);
    const scheduled = all(objs, "ScheduledBackup");
    expect(scheduled.length).toBeGreaterThan(0);
    for (const s of scheduled) {
      expect(s.spec.cluster.name).toBe(db.metadata.name);
      expect(s.spec).toMatchObject({ method: "plugin", pluginConfiguration: { name: plugin.name } });
    }
  });

  it("the point-in-time restore is a valid Cluster reading the backups' store, with the same tablespaces", async () => {
    const [restore] = readYamlFile(join(K8S, "restore/tabula-db-restore.yaml")) as any[];
    expect(await validateManifest(restore)).toEqual([]);
    const db = find(objs, "Cluster", "tabula-db");
    const source = restore.spec.externalClusters.find((c: any) => c.name === restore.spec.bootstrap.recovery.source);
    expect(source.plugin.parameters).toEqual({
      barmanObjectName: find(objs, "ObjectStore", "tabula-backups").metadata.name,
      serverName: db.metadata.name,
    });
    expect(restore.spec.tablespaces.map((t: any) => t.name)).toEqual(db.spec.tablespaces.map((t: any) => t.name));
    expect(
      Date.parse(restore.spec.bootstrap.recovery.recoveryTarget.targetTime.replace(" ", "T").replace(/\+00$/, "Z")),
    ).not.toBeNaN();
  });

  it("puts everything in its namespace and pins the node image", () => {
    const ns = find(objs, "Namespace", "tabula");
    for (const { object } of objs) if (object !== ns) expect((object as K8sObject).metadata.namespace).toBe("tabula");
    const image = find(objs, "StatefulSet", "tabula-node").spec.template.spec.containers[0].image;
    expect(image).toMatch(/^[^:]+:\d+\.\d+\.\d+$/);
  });
});

describe("compose/k8s monitoring", () => {
  it("the dashboards and rules for the Prometheus operator are compose/monitoring's (node compose/k8s/syncMonitoring.ts)", () => {
    expect(readFileSync(GENERATED, "utf8")).toBe(render(monitoringManifests()));
  });

  it("the ServiceMonitor labels series as the rules and dashboards select them (job, node)", () => {
    const objs = build(TARGETS.base);
    const relabel = find(objs, "ServiceMonitor", "tabula-node").spec.endpoints[0].relabelings;
    const job = relabel.find((r: any) => r.targetLabel === "job").replacement;
    expect(relabel.find((r: any) => r.targetLabel === "node").sourceLabels).toEqual(["__meta_kubernetes_pod_name"]);
    const text = readFileSync(GENERATED, "utf8");
    const jobs = new Set([...text.matchAll(/job=\\?"([^"\\]+)\\?"/g)].map((m) => m[1]));
    expect([...jobs]).toEqual([job]);
    const dashboards = find(objs, "ConfigMap", "tabula-grafana-dashboards").data;
    for (const [file, json] of Object.entries<string>(dashboards)) {
      const uids = new Set([...json.matchAll(/"datasource":\s*\{[^}]*"uid":\s*"([^"]+)"/g)].map((m) => m[1]));
      expect([...uids], file).toEqual([DATASOURCE_UID.kubernetes]);
      expect(JSON.parse(json).panels.length, file).toBeGreaterThan(0);
    }
    expect(find(objs, "PrometheusRule", "tabula").spec.groups.length).toBeGreaterThanOrEqual(2);
  });
});

describe("compose/k8s ingress-nginx values", () => {
  it("sizes nginx for WebSockets and keeps tokens out of its access log", () => {
    const [values] = readYamlFile(join(K8S, "ingress-nginx/values.yaml")) as any[];
    const config = values.controller.config;
    expect(Number(config["max-worker-connections"])).toBeGreaterThanOrEqual(65536);
    expect(Number(config["upstream-keepalive-timeout"])).toBeLessThan(65); // the nodes keep idle connections 65 s
    expect(config["log-format-upstream"]).not.toMatch(/\$request\b|\$request_uri|\$args|\$query_string/);
    expect(values.controller.allowSnippetAnnotations ?? false).toBe(false);
  });
});

/** Keep the file list honest: the vendored schemas are JSON, not manifests. */
it("compose/k8s/schemas holds only JSON", () => {
  for (const f of readdirSync(join(K8S, "schemas"))) expect(f).toMatch(/\.(json|md)$/);
  expect(readFileSync(join(K8S, "schemas/README.md"), "utf8")).toContain("compose-spec");
});
