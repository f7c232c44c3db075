/** What the systems of bots/bench share: the driver they name, and waiting on a child's start-up. */
import { join } from "node:path";
import { type ManagedProcess, REPO_ROOT } from "../../../compose/processes.ts";
import type { DriverSpec, LoadShape } from "../types.ts";

/** The light driver (bots/bench/driver/main.ts) speaking `protocol` to `url` with `shape`. */
export function driverSpec(protocol: "colyseus" | "colyseus-rooms" | "tabula", url: string, shape: LoadShape): DriverSpec {
  return {
    script: join(REPO_ROOT, "bots/bench/driver/main.ts"),
    args: [
      ...["--protocol", protocol, "--url", url, "--players", String(shape.players)],
      ...["--warmup-ms", String(shape.warmupMs), "--duration-ms", String(shape.durationMs)],
    ],
  };
}

/** Resolve once `ready()` is true (checked every 20 ms); throw with the child's last output if it exits or `timeoutMs` passes. */
export async function waitForLine(proc: ManagedProcess, ready: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (proc.hasExited()) throw new Error(`${proc.name} exited during start-up:\n${proc.output()}`);
    if (Date.now() > deadline) {
      await proc.stop(2_000);
      throw new Error(`${proc.name} did not start within ${timeoutMs} ms:\n${proc.output()}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
