/**
 * Everything needed to run a local Tabula cluster as real processes, in one
 * import: used by `compose/cluster.ts` (`npm run cluster`) and the cluster
 * and integration tests. Each piece lives in the file named for its role.
 */
export { exitedError, type HttpResult, httpRequest, waitForHttp } from "./http.ts";
export { type NginxHandle, startNginx } from "./nginx.ts";
export {
  NGINX_DIR,
  nginxTest,
  type FdBudget,
  fdBudget,
  openFilesHardLimit,
  openFilesLimits,
  renderNginxConf,
  renderNodesConf,
  renderTabulaConf,
  writeNginxPrefix,
} from "./nginxConf.ts";
export {
  DASHBOARD_FILES,
  type MetricsTarget,
  MONITORING_DIR,
  type PrometheusHandle,
  RULE_FILES,
  startPrometheus,
  writePrometheusConfig,
  writeTargets,
} from "./monitoring.ts";
export { type GameNodeHandle, type NodeAddress, startGameNode } from "./node.ts";
export { type LineSink, prefixedSink, silentSink } from "./output.ts";
export { assertPortsFree, freePort, isPortCollision, isPortFree, onFreePort, PortBusyError } from "./ports.ts";
export { type PostgresHandle, startEmbeddedPostgresProcess } from "./postgresProcess.ts";
export { type RedisHandle, redisAnswers, redisPid, startRedis } from "./redis.ts";
export { type RedisSentinelGroup, SENTINEL_NAME, type SentinelHandle, startRedisSentinelGroup } from "./sentinel.ts";
export {
  findCommand,
  type ManagedProcess,
  REPO_ROOT,
  type SpawnOptions,
  spawnProcess,
  stopProcess,
} from "./spawn.ts";
