/**
 * CPU time and memory of processes, read from Linux's /proc: utime + stime
 * of /proc/<pid>/stat (clock ticks, converted to ms), the parent pid (to
 * find a process's whole tree, e.g. PostgreSQL's postmaster and every
 * backend), and VmRSS of /proc/<pid>/status.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ): 100 on every Linux this runs on. */
export const TICKS_PER_SECOND = 100;

export interface ProcStat {
  pid: number;
  /** Command name (the field in parentheses), e.g. "postgres". */
  comm: string;
  ppid: number;
  /** User + system CPU time, ms. */
  cpuMs: number;
}

/**
 * Parse one /proc/<pid>/stat line. The command name may hold spaces and
 * parentheses, so the fields are counted from the LAST ')'. Fields (man 5
 * proc): 1 pid, 2 (comm), 3 state, 4 ppid, … 14 utime, 15 stime (ticks).
 */
export function parseStat(line: string, ticksPerSecond = TICKS_PER_SECOND): ProcStat {
  const open = line.indexOf("(");
  const close = line.lastIndexOf(")");
  if (open < 0 || close < open) throw new Error(`not a /proc/<pid>/stat line: ${line.slice(0, 60)}`);
  const rest = line
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state): field n is rest[n - 3].
  const ppid = Number(rest[1]);
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (![ppid, utime, stime].every(Number.isFinite)) throw new Error(`bad /proc/<pid>/stat fields: ${line.slice(0, 60)}`);
  return {
    pid: Number(line.slice(0, open).trim()),
    comm: line.slice(open + 1, close),
    ppid,
    cpuMs: ((utime + stime) * 1000) / ticksPerSecond,
  };
}

/** VmRSS of a /proc/<pid>/status text, bytes (0 when absent, as for a zombie). */
export function parseRssBytes(status: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}

/** /proc/<pid>/stat of a live process, or null when it is gone. */
export function readStat(pid: number): ProcStat | null {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return null;
  }
}

/** Resident memory of `pid`, bytes (0 when it is gone). */
export function readRssBytes(pid: number): number {
  try {
    return parseRssBytes(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return 0;
  }
}

/** Every live process, by pid (a process that exits while this runs is skipped). */
export function allStats(): Map<number, ProcStat> {
  const out = new Map<number, ProcStat>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s) out.set(s.pid, s);
  }
  return out;
}

/** `roots` and all their descendants found in `stats` (pids). */
export function descendants(roots: readonly number[], stats: ReadonlyMap<number, ProcStat>): number[] {
  const children = new Map<number, number[]>();
  for (const s of stats.values()) {
    const list = children.get(s.ppid);
    if (list) list.push(s.pid);
    else children.set(s.ppid, [s.pid]);
  }
  const seen = new Set<number>();
  const stack = [...roots];
  while (stack.length) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return [...seen].filter((pid) => stats.has(pid));
}

/**
 * CPU of a group of process trees over a window, from samples: a process seen
 * at the first sample counts from its value there, one born later from 0; each
 * counts up to the last value seen, so a process that exits between samples
 * loses at most one sampling interval.
 */
export class CpuMeter {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private started = false;

  /** Record the CPU (ms) of each process of the group now. */
  sample(cpuByPid: ReadonlyMap<number, number>): void {
    for (const [pid, ms] of cpuByPid) {
      if (!this.first.has(pid)) this.first.set(pid, this.started ? 0 : ms);
      this.last.set(pid, ms);
    }
    this.started = true;
  }

  /** CPU used by the group between the first sample and the last, ms. */
  totalMs(): number {
    let t = 0;
    for (const [pid, ms] of this.last) t += ms - (this.first.get(pid) ?? 0);
    return t;
  }
}
