/**
 * Child processes of a local cluster: spawned in their own process group (a
 * terminal Ctrl-C reaches only the caller, which stops them in order), their
 * output passed on line by line and the last lines kept for error messages,
 * stopped with SIGTERM then SIGKILL to the whole group.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type LineSink, prefixedSink } from "./output.ts";

/** Repository root (this file is compose/spawn.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The last 40 lines of `s`, indented: a child's last words in an error message. */
export function indent(s: string): string {
  return s
    .split("\n")
    .slice(-40)
    .map((l) => `    ${l}`)
    .join("\n");
}

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
