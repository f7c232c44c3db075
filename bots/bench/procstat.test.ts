import { describe, expect, it } from "vitest";
import { CpuMeter, descendants, parseRssBytes, parseStat, type ProcStat, readStat } from "./procstat.ts";

// A real line shape (man 5 proc): pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime …
const line = (pid: number, comm: string, ppid: number, utime: number, stime: number) =>
  `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194560 1234 0 0 0 ${utime} ${stime} 7 3 20 0 1 0 5000 12345678 900 18446744073709551615`;

describe("parseStat", () => {
  it("reads pid, comm, ppid and utime + stime (ticks → ms)", () => {
    expect(parseStat(line(4242, "postgres", 4100, 150, 50))).toEqual({ pid: 4242, comm: "postgres", ppid: 4100, cpuMs: 2000 });
  });

  it("counts fields from the last ')' so a command name with spaces and parentheses does not shift them", () => {
    const s = parseStat(line(7, "node (bench) x) y", 1, 3, 4));
    expect(s.comm).toBe("node (bench) x) y");
    expect(s.ppid).toBe(1);
    expect(s.cpuMs).toBe(70);
  });

  it("honours another tick rate", () => {
    expect(parseStat(line(1, "a", 0, 10, 10), 1000).cpuMs).toBe(20);
  });

  it("refuses a line that is not a stat line", () => {
    expect(() => parseStat("garbage")).toThrow(/not a \/proc/);
    expect(() => parseStat("12 (x) S")).toThrow(/bad/);
  });

  it("reads this very process from /proc", () => {
    const me = readStat(process.pid);
    expect(me?.pid).toBe(process.pid);
    expect(me?.ppid).toBe(process.ppid);
    expect(me!.cpuMs).toBeGreaterThan(0);
    expect(readStat(2 ** 30)).toBeNull();
  });
});

describe("parseRssBytes", () => {
  it("reads VmRSS in kB as bytes, 0 when absent", () => {
    expect(parseRssBytes("Name:\tnode\nVmPeak:\t  999 kB\nVmRSS:\t   51200 kB\nThreads: 7\n")).toBe(51200 * 1024);
    expect(parseRssBytes("Name:\tzombie\nState:\tZ\n")).toBe(0);
  });
});

describe("descendants", () => {
  const stats = new Map<number, ProcStat>(
    [
      [1, 0],
      [10, 1], // runner
      [20, 10], // pg helper
      [21, 20], // postmaster
      [22, 21], // backend
      [23, 21], // backend
      [30, 10], // node
      [40, 1], // unrelated
    ].map(([pid, ppid]) => [pid!, { pid: pid!, ppid: ppid!, comm: "x", cpuMs: 0 }]),
  );

  it("finds a process and its whole tree, nothing else", () => {
    expect(descendants([21], stats).sort()).toEqual([21, 22, 23]);
    expect(descendants([20, 30], stats).sort()).toEqual([20, 21, 22, 23, 30]);
  });

  it("drops roots that no longer exist", () => {
    expect(descendants([99], stats)).toEqual([]);
  });
});

describe("CpuMeter", () => {
  it("counts from the first sample; a process born later counts from 0; one that exits keeps its last value", () => {
    const m = new CpuMeter();
    m.sample(new Map([[1, 1000]]));
    m.sample(
      new Map([
        [1, 1300],
        [2, 40],
      ]),
    );
    m.sample(new Map([[1, 1500]])); // 2 exited after 40 ms of CPU
    expect(m.totalMs()).toBe(500 + 40);
  });

  it("is 0 with a single sample", () => {
    const m = new CpuMeter();
    m.sample(new Map([[1, 1000]]));
    expect(m.totalMs()).toBe(0);
  });
});
