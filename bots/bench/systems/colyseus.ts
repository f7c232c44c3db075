/**
 * Systems "colyseus" and "colyseus-rooms": the ceiling. A plain Colyseus 0.18
 * room (validate with the shared rules, broadcast; no database, no Schema
 * state) in its own server process (bots/bench/colyseus/server.ts), loaded by
 * the same driver: "colyseus" plays the next game in the same room, for
 * free; "colyseus-rooms" makes a new room for every game, as Tabula (a
 * rematch) and boardgame.io (a new match) make a new game.
 */
import { join } from "node:path";
import { type ManagedProcess, REPO_ROOT, spawnProcess } from "../../../compose/processes.ts";
import type { BenchSystem, LoadShape, RunningSystem } from "../types.ts";
import { driverSpec, waitForLine } from "./common.ts";

export const colyseusSystem: BenchSystem = plainColyseus("colyseus", "plain Colyseus 0.18 (no DB)");
export const colyseusRoomsSystem: BenchSystem = plainColyseus("colyseus-rooms", "plain Colyseus, a room per game");

function plainColyseus(id: "colyseus" | "colyseus-rooms", label: string): BenchSystem {
  return {
    id,
    label,
    persisted: false,
    async start(log) {
      let port = 0;
      const server: ManagedProcess = spawnProcess({
        name: "colyseus",
        command: process.execPath,
        args: [join(REPO_ROOT, "bots/bench/colyseus/server.ts")],
        output: (line) => {
          const m = /^COLYSEUS_BENCH_READY (\d+)$/.exec(line);
          if (m) port = Number(m[1]);
          else log(`[colyseus] ${line}`);
        },
      });
      await waitForLine(server, () => port > 0, 20_000);
      log(`plain Colyseus server on 127.0.0.1:${port} (pid ${server.pid})`);
      const running: RunningSystem = {
        serverPids: () => [server.pid],
        databasePids: () => [],
        driver: (shape: LoadShape) => driverSpec(id, `http://127.0.0.1:${port}`, shape),
        countMoves: async () => null,
        stop: () => server.stop(5_000).then(() => {}),
      };
      return running;
    },
  };
}
