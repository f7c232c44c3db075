/**
 * The Redis pods' configuration script (base/redis.yaml, ConfigMap redis-config, configure.sh), run
 * for real by `sh` with a stand-in `redis-cli` that answers (or not) the Sentinel question "who is the
 * primary?": a first start makes redis-0 the primary, and a pod that starts again after a failover
 * joins the primary the Sentinels name, even when that was not redis-0.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { build } from "./kustomize.ts";

const configMap = build(fileURLToPath(new URL("./base", import.meta.url))).find(
  (r) => r.object.kind === "ConfigMap" && r.object.metadata.name === "redis-config",
);
if (!configMap) throw new Error("base/redis.yaml: no ConfigMap redis-config");
const script: string = (configMap.object as any).data["configure.sh"];
const dir = mkdtempSync(join(tmpdir(), "tabula-redis-configure-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Run the script as pod `pod`; `primary` is what every reachable Sentinel answers (undefined: none
 * answers, as on the first start). Returns the two files it wrote.
 */
function configure(pod: string, primary: string | undefined): { redis: string; sentinel: string } {
  const bin = mkdtempSync(join(dir, "bin-"));
  const conf = mkdtempSync(join(dir, "conf-"));
  // The stand-in records its arguments, so the test also sees whom the script asked.
  const cli = primary === undefined ? 'echo "Could not connect" >&2; exit 1' : `printf '%s\\n' '${primary}' 6379`;
  writeFileSync(join(bin, "redis-cli"), `#!/bin/sh\necho "$*" >> "${conf}/asked"\n${cli}\n`);
  chmodSync(join(bin, "redis-cli"), 0o755);
  writeFileSync(join(conf, "configure.sh"), script);
  execFileSync("sh", [join(conf, "configure.sh")], {
    env: { PATH: `${bin}:${process.env.PATH}`, POD_NAME: pod, SENTINEL_NAME: "tabula", CONF_DIR: conf },
    stdio: "pipe",
  });
  const asked = readFileSync(join(conf, "asked"), "utf8");
  expect(asked).not.toContain(`-h ${pod}.redis `); // never itself
  expect(asked).toContain("sentinel get-master-addr-by-name tabula");
  return { redis: readFileSync(join(conf, "redis.conf"), "utf8"), sentinel: readFileSync(join(conf, "sentinel.conf"), "utf8") };
}

describe("redis configure.sh", () => {
  it("first start, no Sentinel answers: redis-0 is the primary, the others replicate it", () => {
    const zero = configure("redis-0", undefined);
    expect(zero.redis).not.toContain("replicaof");
    expect(zero.redis).toContain("replica-announce-ip redis-0.redis");
    expect(zero.sentinel).toContain("sentinel monitor tabula redis-0.redis 6379 2");
    const one = configure("redis-1", undefined);
    expect(one.redis).toContain("replicaof redis-0.redis 6379");
    expect(one.sentinel).toContain("sentinel monitor tabula redis-0.redis 6379 2");
    expect(one.sentinel).toContain("sentinel announce-ip redis-1.redis");
  });

  it("after a failover, a restarted redis-0 joins the primary the Sentinels name", () => {
    const zero = configure("redis-0", "redis-2.redis");
    expect(zero.redis).toContain("replicaof redis-2.redis 6379");
    expect(zero.sentinel).toContain("sentinel monitor tabula redis-2.redis 6379 2");
  });

  it("a pod the Sentinels still name as primary starts as the primary", () => {
    const two = configure("redis-2", "redis-2.redis");
    expect(two.redis).not.toContain("replicaof");
  });

  it("writes what redis-server and redis-sentinel need to run without persistence, reachable by name", () => {
    const { redis, sentinel } = configure("redis-1", undefined);
    for (const line of ["port 6379", "bind 0.0.0.0", 'save ""', "appendonly no"]) expect(redis).toContain(line);
    // resolve-hostnames must come before the monitor line that names a host.
    expect(sentinel.indexOf("sentinel resolve-hostnames yes")).toBeLessThan(sentinel.indexOf("sentinel monitor"));
    expect(sentinel).toContain("sentinel announce-hostnames yes");
  });
});
