/**
 * The node's bot engines: a small pool of worker threads (engineWorker.ts),
 * each thinking about one job at a time, so a bot's thought never holds up
 * the event loop — other games, sockets and timers carry on meanwhile.
 *
 * Robust by construction: a worker that crashes or exits is replaced (its job
 * fails), one that overruns a job's deadline is terminated and replaced (the
 * job fails); a failed job is the caller's cue to fall back to the built-in
 * policy for that move (botMoves.ts). Jobs wait in a bounded queue; when it is
 * full they fail at once, and one that waited too long fails, rather than pile up.
 */
import { Worker } from "node:worker_threads";
import type { Logger } from "../log.ts";
import type { EngineAnswer, EngineJob, EngineRequest } from "./engineJobs.ts";

export interface EnginePoolOptions {
  /** Worker threads (BOT_ENGINE_WORKERS, default 1): each holds one Stockfish (~40 MB) and thinks on one core. */
  size: number;
  log: Logger;
  /** Jobs that may wait for a free worker (default 64); more fail at once. */
  maxQueued?: number;
  /** How long a job may wait for a free worker, ms (default 5,000): then it fails (the bot plays its built-in move). */
  maxWaitMs?: number;
}

interface Pending {
  req: EngineRequest;
  deadlineMs: number;
  /** Fails the job if no worker took it in time. */
  waitTimer: NodeJS.Timeout | null;
  resolve: (move: string) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  job: Pending | null;
  timer: NodeJS.Timeout | null;
}

const WORKER_URL = new URL("./engineWorker.ts", import.meta.url);

export class EnginePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private readonly log: Logger;
  private readonly maxQueued: number;
  private readonly maxWaitMs: number;
  private readonly size: number;
  private nextId = 1;
  private closed = false;
  /** Workers replaced after a crash or a hang (for tests and logs). */
  restarts = 0;

  constructor(opts: EnginePoolOptions) {
    this.log = opts.log;
    this.maxQueued = opts.maxQueued ?? 64;
    this.maxWaitMs = opts.maxWaitMs ?? 5_000;
    this.size = Math.max(1, opts.size);
  }

  /**
   * Run `job` on the next free worker; resolves with its move (in the game's notation), rejects
   * when the worker fails, crashes or has not answered `deadlineMs` after starting it, when the
   * queue is full, or once the pool is closed.
   */
  run(job: EngineJob, deadlineMs: number): Promise<string> {
    if (this.closed) return Promise.reject(new Error("engine pool closed"));
    if (this.queue.length >= this.maxQueued) return Promise.reject(new Error("engine queue full"));
    // Workers start with the first job: a node that never hosts a bot game never loads an engine.
    while (this.slots.length < this.size) this.slots.push(this.spawn());
    return new Promise((resolve, reject) => {
      const pending: Pending = { req: { id: this.nextId++, job }, deadlineMs, waitTimer: null, resolve, reject };
      // Busy engines must not make a bot's clock run out: past the wait, the job gives up its place.
      pending.waitTimer = setTimeout(() => {
        const i = this.queue.indexOf(pending);
        if (i < 0) return;
        this.queue.splice(i, 1);
        reject(new Error("engine busy"));
      }, this.maxWaitMs);
      this.queue.push(pending);
      this.dispatch();
    });
  }

  /** The workers' thread ids (tests: to kill one). */
  threadIds(): number[] {
    return this.slots.map((s) => s.worker.threadId);
  }

  /** Terminate the worker with `threadId` as a crash would (tests); it is replaced. */
  async kill(threadId: number): Promise<void> {
    await this.slots.find((s) => s.worker.threadId === threadId)?.worker.terminate();
  }

  /** Stop every worker; waiting and running jobs fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) {
      if (p.waitTimer) clearTimeout(p.waitTimer);
      p.reject(new Error("engine pool closed"));
    }
    await Promise.all(
      this.slots.map((s) => {
        this.finish(s, new Error("engine pool closed"));
        return s.worker.terminate();
      }),
    );
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_URL);
    const slot: Slot = { worker, job: null, timer: null };
    worker.unref(); // an idle engine never keeps the process alive
    worker.on("message", (a: EngineAnswer) => {
      if (slot.job?.req.id !== a.id) return; // the answer to a job that already timed out
      if (a.ok) this.finish(slot, null, a.move);
      else this.finish(slot, new Error(a.error));
      this.dispatch();
    });
    worker.on("error", (err) => this.log.warn({ err: err.message, threadId: worker.threadId }, "bot engine worker failed"));
    worker.on("exit", (code) => {
      if (this.closed) return;
      this.log.warn({ code, threadId: worker.threadId }, "bot engine worker exited; starting another");
      this.replace(slot, new Error(`engine worker exited (${code})`));
    });
    return slot;
  }

  /** Put a fresh worker in `slot`'s place; its job (if any) fails with `err`. */
  private replace(slot: Slot, err: Error): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.finish(slot, err);
    this.restarts++;
    this.slots[i] = this.spawn();
    this.dispatch();
  }

  private finish(slot: Slot, err: Error | null, move?: string): void {
    const job = slot.job;
    if (slot.timer) clearTimeout(slot.timer);
    slot.job = null;
    slot.timer = null;
    if (!job) return;
    if (err) job.reject(err);
    else job.resolve(move as string);
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.job || this.queue.length === 0) continue;
      const job = this.queue.shift() as Pending;
      if (job.waitTimer) clearTimeout(job.waitTimer);
      slot.job = job;
      slot.timer = setTimeout(() => {
        this.log.warn(
          { threadId: slot.worker.threadId, job: job.req.job.kind },
          "bot engine did not answer in time; restarting it",
        );
        // Its own exit must not replace it a second time.
        slot.worker.removeAllListeners("exit");
        void slot.worker.terminate();
        this.replace(slot, new Error("engine timed out"));
      }, job.deadlineMs);
      slot.worker.postMessage(job.req);
    }
  }
}
