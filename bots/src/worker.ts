/**
 * A bots worker: with --procs N, main.ts forks itself N times with
 * TABULA_BOTS_WORKER=1; each worker runs its share of the bots (runner.ts),
 * streams progress deltas and sends its raw samples and counters at the end.
 * The messages between the parent and a worker are typed here.
 */
import type { BotsConfig } from "./args.ts";
import type { ProgressDelta, RawResults } from "./metrics.ts";
import { runSlice, type SlicePlan } from "./runner.ts";

export const WORKER_ENV = "TABULA_BOTS_WORKER";

export type ToWorker = { type: "start"; plan: SlicePlan } | { type: "stop" } | { type: "kill" };
export type FromWorker =
  | { type: "ready" }
  | { type: "progress"; delta: ProgressDelta }
  | { type: "final"; raw: RawResults }
  | { type: "fatal"; message: string };

/** The SDK reports reconnection attempts on the console; thousands of bots would drown the progress line. */
export function quietSdk(config: BotsConfig): void {
  if (config.verbose) return;
  console.info = () => {};
  console.warn = () => {};
}

export function workerMain(): void {
  const send = (msg: FromWorker) => process.send!(msg);
  // Ctrl-C reaches the whole process group: the parent decides, and tells us.
  process.on("SIGINT", () => {});
  process.on("SIGTERM", () => {});
  let slice: ReturnType<typeof runSlice> | null = null;
  process.on("message", (msg: ToWorker) => {
    if (msg.type === "start" && !slice) {
      quietSdk(msg.plan.config);
      slice = runSlice(msg.plan, (delta) => send({ type: "progress", delta }));
      slice.done.then(
        (raw) => process.send!({ type: "final", raw } satisfies FromWorker, () => process.exit(0)),
        (err) => {
          send({ type: "fatal", message: String((err as Error)?.stack ?? err) });
          process.exit(1);
        },
      );
    } else if (msg.type === "stop") slice?.stop();
    else if (msg.type === "kill") slice?.kill();
  });
  // The parent died: do not linger.
  process.on("disconnect", () => {
    slice?.kill();
    setTimeout(() => process.exit(1), 3000).unref();
  });
  send({ type: "ready" });
}
