/**
 * Two players of the boardgame.io driver, each with boardgame.io's own client
 * (SocketIO transport, one WebSocket per player, kept for the whole run),
 * playing match after match: a finished (or stuck) match is replaced through
 * the lobby API (create, then the two joins) and both clients move to it
 * (`updateCredentials` + `updateMatchID`, as boardgame.io's React wrapper does
 * when its matchID changes).
 */
import { createRequire } from "node:module";
import type { Connect4State } from "@tabula/shared/rules";
import { Connect4Game, DROP, GAME_NAME } from "./game.ts";

const require = createRequire(import.meta.url);
const { Client, LobbyClient } = require("boardgame.io/client") as typeof import("boardgame.io/client");
const { SocketIO } = require("boardgame.io/multiplayer") as typeof import("boardgame.io/multiplayer");

type BgioClient = ReturnType<typeof Client<Connect4State>>;

/** A move (or a new match's first state) with no answer for this long is an error, and the match is given up, ms. */
export const MOVE_TIMEOUT_MS = 5_000;
const COLUMNS = 7;
const ROWS = 6;

/** What the players report to the driver. */
export interface PairEvents {
  /** A move acknowledged `rttMs` after it was sent. */
  ack(rttMs: number): void;
  /** An error of kind `kind` (a timed-out move, a failed match set-up). */
  error(kind: string): void;
  /** A match ended by the rules (counted once, by player "0"). */
  gameOver(): void;
}

/** One seat: its client, and its knowledge of the current match (discs per column, its move in flight). */
class Player {
  private client: BgioClient | null = null;
  private readonly heights = new Array<number>(COLUMNS).fill(0);
  private seen = 0; // moves of the current match already counted into heights
  private pending: { ply: number; at: number } | null = null;
  private lastProgress = 0;
  /** The client's state object of the previous match, ignored until the new match's sync replaces it. */
  private stale: unknown = null;
  private done: ((over: boolean) => void) | null = null;
  private readonly watchdog: NodeJS.Timeout;

  private readonly server: string;
  private readonly playerID: "0" | "1";
  private readonly events: PairEvents;

  constructor(server: string, playerID: "0" | "1", events: PairEvents) {
    this.server = server;
    this.playerID = playerID;
    this.events = events;
    this.watchdog = setInterval(() => {
      if (this.done && performance.now() - this.lastProgress > MOVE_TIMEOUT_MS) {
        this.events.error(this.pending ? "timeout_move" : "timeout_match_start");
        this.finish(false);
      }
    }, 250);
  }

  /** Whether its socket is connected now. */
  connected(): boolean {
    return Boolean(this.client?.getState()?.isConnected);
  }

  /** Play `matchID` with `credentials` until it ends (true) or is given up (false). */
  play(matchID: string, credentials: string): Promise<boolean> {
    this.heights.fill(0);
    this.seen = 0;
    this.pending = null;
    this.lastProgress = performance.now();
    const over = new Promise<boolean>((resolve) => {
      this.done = resolve;
    });
    if (!this.client) {
      this.client = Client({
        game: Connect4Game,
        numPlayers: 2,
        matchID,
        playerID: this.playerID,
        credentials,
        debug: false,
        // Its own WebSocket (socket.io would otherwise share one connection among all clients of a server); a drop is an error here.
        multiplayer: SocketIO({
          server: this.server,
          socketOpts: { transports: ["websocket"], forceNew: true, reconnection: false },
        }),
      });
      this.client.subscribe(() => this.onState());
      this.client.start();
    } else {
      this.stale = this.client.getState()?.G ?? null;
      // Credentials first: the sync that updateMatchID sends must carry the new match's.
      this.client.updateCredentials(credentials);
      this.client.updateMatchID(matchID);
    }
    return over;
  }

  stop(): void {
    this.finish(false);
    clearInterval(this.watchdog);
    this.client?.stop();
  }

  private finish(over: boolean): void {
    const done = this.done;
    this.done = null;
    this.pending = null;
    done?.(over);
  }

  private onState(): void {
    const state = this.client?.getState();
    if (!this.done || !this.client || !state || state.G === this.stale) return;
    const G = state.G;
    if (G.moves.length > this.seen) {
      this.lastProgress = performance.now();
      for (const m of G.moves.slice(this.seen)) this.heights[Number(m)]++;
      this.seen = G.moves.length;
    }
    if (this.pending && G.moves.length > this.pending.ply) {
      this.events.ack(performance.now() - this.pending.at);
      this.pending = null;
    }
    if (state.ctx.gameover !== undefined) {
      if (this.playerID === "0") this.events.gameOver();
      this.finish(true);
      return;
    }
    if (this.pending || state.ctx.currentPlayer !== this.playerID) return;
    const open: number[] = [];
    for (let c = 0; c < COLUMNS; c++) if (this.heights[c] < ROWS) open.push(c);
    const column = open[Math.floor(Math.random() * open.length)];
    this.pending = { ply: G.moves.length, at: performance.now() };
    this.lastProgress = this.pending.at;
    this.client.moves[DROP](String(column));
  }
}

export interface Pair {
  /** Players whose socket is connected now (0–2). */
  connected(): number;
  /** Stop after the current moves: no new match, clients closed. */
  stop(): void;
}

/**
 * Set up a pair on `server` (http URL): its first match created and joined,
 * its two clients started; resolves then, while the pair goes on playing
 * match after match until stopped. Rejects when the first match cannot be set up.
 */
export async function startPair(server: string, name: string, events: PairEvents): Promise<Pair> {
  const lobby = new LobbyClient({ server });
  const players = [new Player(server, "0", events), new Player(server, "1", events)] as const;
  let stopped = false;

  /** A new match with both seats joined: its id and the two players' credentials. */
  const newMatch = async () => {
    const { matchID } = await lobby.createMatch(GAME_NAME, { numPlayers: 2 });
    // One join after the other: the lobby's join is a read-modify-write of the match's metadata, and with an
    // asynchronous store (bgio-postgres) two joins at once can each overwrite the other's credentials.
    const credentials: string[] = [];
    for (const playerID of ["0", "1"]) {
      credentials.push(
        (await lobby.joinMatch(GAME_NAME, matchID, { playerID, playerName: `${name}-${playerID}` })).playerCredentials,
      );
    }
    return { matchID, credentials };
  };
  const playMatch = ({ matchID, credentials }: { matchID: string; credentials: string[] }) =>
    Promise.all(players.map((p, i) => p.play(matchID, credentials[i])));

  let current = playMatch(await newMatch());
  void (async () => {
    for (;;) {
      await current;
      if (stopped) return;
      try {
        current = playMatch(await newMatch());
      } catch (err) {
        events.error(`setup_${(err as Error).message.split(" ")[0]}`);
        await new Promise((r) => setTimeout(r, 200)); // do not spin on a server that refuses
        current = Promise.resolve([]);
      }
    }
  })();
  return {
    connected: () => players.filter((p) => p.connected()).length,
    stop() {
      stopped = true;
      for (const p of players) p.stop();
    },
  };
}
