/**
 * The game's sounds: which event plays which sound (pure, unit-tested), and
 * the sounds themselves, synthesized with the Web Audio API (no files to
 * load). A mute switch, remembered in localStorage, silences them all.
 *
 * Sounds follow real events only: a move that arrives (`moved`), a game that
 * starts or ends while we watch. A snapshot that merely redraws what we knew
 * (a resync, a reconnection, a replay) plays nothing.
 */

export type SoundName = "move" | "capture" | "check" | "start" | "end" | "lowTime";

/** Where the mute choice is kept (localStorage): "1" muted. */
export const MUTE_KEY = "tabula.muted";

/** The sound of a move, from its notation: chess SAN "+"/"#" is a check, "x" a capture; a disc is a move. */
export function moveSound(kind: string, san: string): SoundName {
  if (kind !== "chess") return "move";
  if (/[+#]$/.test(san)) return "check";
  return san.includes("x") ? "capture" : "move";
}

/** What a snapshot tells about the game, for the sounds. */
export interface GameMoment {
  gameId: string;
  active: boolean;
  ply: number;
}

/**
 * The sounds of a snapshot, given the one before it (null: the first of this
 * screen). A new game that has not started yet (no move) plays "start"; a
 * game we saw active and now see over plays "end". Anything else — a resync,
 * joining a game under way, an already finished game — plays nothing.
 */
export function snapshotSounds(prev: GameMoment | null, next: GameMoment): SoundName[] {
  const same = prev !== null && prev.gameId === next.gameId;
  if (!same) return next.active && next.ply === 0 ? ["start"] : [];
  return prev.active && !next.active ? ["end"] : [];
}

/** The sounds of a `moved` we folded in: the move's, then "end" if it ended the game. */
export function movedSounds(kind: string, san: string, gameOver: boolean): SoundName[] {
  return gameOver ? [moveSound(kind, san), "end"] : [moveSound(kind, san)];
}

/** Under this much time left (ms) the low-time sound plays: a tenth of the initial time, at most 20 s. */
export function lowTimeThresholdMs(initialMs: number): number {
  return Math.min(20_000, initialMs * 0.1);
}

/** The low-time warning: once per game, when the player's running clock drops under the threshold. */
export class LowTimeAlarm {
  private warned = new Set<string>();
  private above = new Set<string>();

  /** True exactly once per game: the first check where `remainingMs` is under the threshold after being above it. */
  check(gameId: string, remainingMs: number, initialMs: number): boolean {
    if (this.warned.has(gameId)) return false;
    if (remainingMs >= lowTimeThresholdMs(initialMs)) {
      this.above.add(gameId);
      return false;
    }
    // Joining a game already low on time is not "dropping under": no sound.
    if (!this.above.has(gameId)) return false;
    this.warned.add(gameId);
    return true;
  }
}

/** One game's sound cues: what its events play (the decisions above), through `play`. */
export class SoundCues {
  private readonly play: (name: SoundName) => void;
  private readonly lowTime = new LowTimeAlarm();

  constructor(play: (name: SoundName) => void) {
    this.play = play;
  }

  /** A snapshot arrived (`prev`: the game as we had it, or null). */
  snapshot(prev: GameMoment | null, next: GameMoment): void {
    for (const name of snapshotSounds(prev, next)) this.play(name);
  }

  /** A `moved` was folded in. */
  moved(kind: string, san: string, gameOver: boolean): void {
    for (const name of movedSounds(kind, san, gameOver)) this.play(name);
  }

  /** Our running clock shows `remainingMs`: the low-time sound, once per game. */
  clock(gameId: string, remainingMs: number, initialMs: number): void {
    if (this.lowTime.check(gameId, remainingMs, initialMs)) this.play("lowTime");
  }
}

/** One note: frequency (Hz), start offset and length (s), wave shape, peak gain. */
interface Note {
  hz: number;
  at: number;
  len: number;
  wave: OscillatorType;
  gain: number;
}

const n = (hz: number, at: number, len: number, wave: OscillatorType = "sine", gain = 0.25): Note => ({
  hz,
  at,
  len,
  wave,
  gain,
});

/** Each sound as a few short notes. */
export const SOUND_NOTES: Record<SoundName, readonly Note[]> = {
  move: [n(330, 0, 0.07, "triangle", 0.35)],
  capture: [n(220, 0, 0.06, "square", 0.12), n(165, 0.05, 0.09, "triangle", 0.35)],
  check: [n(660, 0, 0.08, "triangle", 0.25), n(880, 0.09, 0.12, "triangle", 0.25)],
  start: [n(523, 0, 0.1), n(659, 0.1, 0.1), n(784, 0.2, 0.18)],
  end: [n(784, 0, 0.12), n(659, 0.12, 0.12), n(523, 0.24, 0.25)],
  lowTime: [n(988, 0, 0.08, "square", 0.1), n(988, 0.16, 0.08, "square", 0.1)],
};

/** The sounds of this page: Web Audio, muted or not (remembered), and the last one asked for (for tests). */
export class SoundPlayer {
  private ctx: AudioContext | null = null;
  private mutedNow: boolean;
  /** The last sound asked for (played unless muted), and how many were asked for. */
  last: SoundName | null = null;
  count = 0;
  private readonly listeners = new Set<() => void>();

  constructor() {
    this.mutedNow = readMuted();
  }

  get muted(): boolean {
    return this.mutedNow;
  }

  /** Mute or unmute, and remember it. */
  setMuted(muted: boolean): void {
    this.mutedNow = muted;
    try {
      if (muted) localStorage.setItem(MUTE_KEY, "1");
      else localStorage.removeItem(MUTE_KEY);
    } catch {
      // Storage refused (private mode): the switch still applies to this page.
    }
    if (!muted) this.context(); // a click: the audio context may start now
    this.changed();
  }

  /** Called after every sound asked for and every mute switch. */
  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  play(name: SoundName): void {
    this.last = name;
    this.count++;
    this.changed();
    if (this.mutedNow) return;
    const ctx = this.context();
    // No audio, or not allowed yet (no click on the page so far).
    if (ctx?.state !== "running") return;
    const t0 = ctx.currentTime + 0.01;
    for (const note of SOUND_NOTES[name]) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = note.wave;
      osc.frequency.setValueAtTime(note.hz, t0 + note.at);
      gain.gain.setValueAtTime(0.0001, t0 + note.at);
      gain.gain.exponentialRampToValueAtTime(note.gain, t0 + note.at + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + note.at + note.len);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t0 + note.at);
      osc.stop(t0 + note.at + note.len + 0.02);
    }
  }

  /** Browsers start audio only after a user gesture: make (or resume) the context then. */
  unlock(): void {
    if (!this.mutedNow) void this.context()?.resume?.();
  }

  private context(): AudioContext | null {
    if (this.ctx) return this.ctx;
    const Ctor = (globalThis as { AudioContext?: typeof AudioContext }).AudioContext;
    if (!Ctor) return null;
    try {
      this.ctx = new Ctor();
    } catch {
      return null;
    }
    return this.ctx;
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}

function readMuted(): boolean {
  try {
    return globalThis.localStorage?.getItem(MUTE_KEY) === "1";
  } catch {
    return false;
  }
}

/** The page's one player (the game controller plays through it, the top bar's switch mutes it). */
export const sounds = new SoundPlayer();
