import { describe, expect, it } from "vitest";
import {
  ArgsError,
  DEFAULTS,
  isLoopbackHost,
  parseArgs,
  parseDuration,
  parseShare,
  parseThink,
  roleOf,
  rosterOf,
  timeControlOf,
  type BotsConfig,
} from "./args.ts";

function config(...argv: string[]): BotsConfig {
  const r = parseArgs(argv);
  if (r.help) throw new Error("unexpected --help");
  return r.config;
}

function error(...argv: string[]): string {
  try {
    parseArgs(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(ArgsError);
    return (err as Error).message;
  }
  throw new Error(`expected ${argv.join(" ")} to be refused`);
}

describe("parseArgs", () => {
  it("has the documented defaults", () => {
    const c = config();
    expect(c).toEqual({
      url: DEFAULTS.url,
      bots: 20,
      game: "connect4",
      timeControl: {},
      durationMs: 60_000,
      thinkMs: [300, 900],
      spectatorShare: 0.1,
      procs: 1,
      out: "bots-report.json",
      maxErrorRate: 0.01,
      maxErrors: null,
      allowRemote: false,
      verbose: false,
    });
    expect(timeControlOf(c, "connect4")).toBe("1+5");
  });

  it("reads every option, as --opt value and --opt=value", () => {
    const c = config(
      "--url",
      "http://127.0.0.1:2610/",
      "--bots=200",
      "--game",
      "mix",
      "--time-control",
      "connect4=3+5,chess=1+0",
      "--duration",
      "2m",
      "--think=100ms-400ms",
      "--spectators",
      "25%",
      "--procs",
      "4",
      "--out",
      "out/r.json",
      "--max-error-rate",
      "0.05",
      "--max-errors",
      "3",
      "--verbose",
    );
    expect(c).toMatchObject({
      url: "http://127.0.0.1:2610",
      bots: 200,
      game: "mix",
      timeControl: { connect4: "3+5", chess: "1+0" },
      durationMs: 120_000,
      thinkMs: [100, 400],
      spectatorShare: 0.25,
      procs: 4,
      out: "out/r.json",
      maxErrorRate: 0.05,
      maxErrors: 3,
      verbose: true,
    });
  });

  it("answers --help and -h", () => {
    expect(parseArgs(["--help"])).toEqual({ help: true });
    expect(parseArgs(["--bots", "3", "-h"])).toEqual({ help: true });
  });

  it("refuses unknown options, stray words, missing values and repeats", () => {
    expect(error("--bot", "3")).toMatch(/unknown option --bot/);
    expect(error("200")).toMatch(/unexpected argument "200"/);
    expect(error("--bots")).toMatch(/--bots needs a value/);
    expect(error("--bots", "--game", "chess")).toMatch(/--bots needs a value/);
    expect(error("--bots", "2", "--bots", "3")).toMatch(/given twice/);
    expect(error("--allow-remote=yes")).toMatch(/takes no value/);
  });

  it("bounds --bots and --procs", () => {
    expect(error("--bots", "0")).toMatch(/out of range 1..5000/);
    expect(error("--bots", "5001")).toMatch(/out of range/);
    expect(error("--bots", "2.5")).toMatch(/not a whole number/);
    expect(config("--bots", "5000").bots).toBe(5000);
    expect(error("--bots", "2", "--procs", "3")).toMatch(/more than --bots/);
    expect(error("--procs", "0")).toMatch(/out of range/);
  });

  it("checks the game and its time controls against the shared rules", () => {
    expect(error("--game", "go")).toMatch(/not one of connect4, chess, mix/);
    expect(config("--game", "chess", "--time-control", "5+3").timeControl).toEqual({ chess: "5+3" });
    expect(error("--game", "chess", "--time-control", "1+5")).toMatch(/chess has no time control "1\+5".*3\+2/);
    // A single id must exist for every game played.
    expect(error("--game", "mix", "--time-control", "3+2")).toMatch(/connect4 has no time control "3\+2"/);
    expect(error("--game", "connect4", "--time-control", "chess=3+2")).toMatch(/not played with --game connect4/);
    expect(error("--time-control", "go=1+0")).toMatch(/unknown game "go"/);
  });

  it("refuses a remote URL unless --allow-remote", () => {
    expect(error("--url", "http://example.com:8080")).toMatch(/example.com is not this machine.*--allow-remote/);
    expect(error("--url", "http://10.0.0.5")).toMatch(/not this machine/);
    expect(config("--url", "http://example.com", "--allow-remote").url).toBe("http://example.com");
    expect(config("--url", "http://[::1]:2567").url).toBe("http://[::1]:2567");
    expect(config("--url", "https://127.1.2.3").url).toBe("https://127.1.2.3");
    expect(error("--url", "ws://localhost:2567")).toMatch(/http:\/\/ or https:\/\//);
    expect(error("--url", "localhost:2567")).toMatch(/http:\/\/ or https:\/\/|not a URL/);
    expect(error("--url", "nonsense")).toMatch(/not a URL/);
  });

  it("validates durations, think times, shares and thresholds", () => {
    expect(error("--duration", "60")).toMatch(/needs a unit/);
    expect(error("--duration", "0s")).toMatch(/more than 0/);
    expect(error("--duration", "25h")).toMatch(/at most 24h/);
    expect(error("--duration", "soon")).toMatch(/not a duration/);
    expect(error("--think", "400ms-100ms")).toMatch(/backwards/);
    expect(error("--think", "2m")).toMatch(/at most 60s/);
    expect(error("--spectators", "150%")).toMatch(/between 0% and 100%/);
    expect(error("--spectators", "some")).toMatch(/percentage/);
    expect(error("--max-error-rate", "2")).toMatch(/between 0 and 1/);
    expect(error("--max-error-rate", "x")).toMatch(/between 0 and 1/);
    expect(error("--max-errors", "-1")).toMatch(/--max-errors needs a value .*--max-errors=-1/);
    expect(error("--max-errors=-1")).toMatch(/whole number/);
    expect(error("--out", "")).toMatch(/--out/);
  });
});

describe("value parsers", () => {
  it("parses durations", () => {
    expect(parseDuration("500ms", "d")).toBe(500);
    expect(parseDuration("60s", "d")).toBe(60_000);
    expect(parseDuration("1.5s", "d")).toBe(1500);
    expect(parseDuration("2m", "d")).toBe(120_000);
    expect(parseDuration("1h", "d")).toBe(3_600_000);
    expect(parseDuration("0", "d")).toBe(0);
  });

  it("parses think times and ranges", () => {
    expect(parseThink("200ms")).toEqual([200, 200]);
    expect(parseThink("100ms-400ms")).toEqual([100, 400]);
    expect(parseThink("0-1s")).toEqual([0, 1000]);
    expect(() => parseThink("1-2-3s")).toThrow(ArgsError);
    expect(() => parseThink("100ms-")).toThrow(ArgsError);
  });

  it("parses shares", () => {
    expect(parseShare("10%", "s")).toBe(0.1);
    expect(parseShare("0%", "s")).toBe(0);
    expect(parseShare("0.25", "s")).toBe(0.25);
    expect(parseShare("1", "s")).toBe(1);
  });

  it("knows the loopback hosts", () => {
    for (const h of ["localhost", "LOCALHOST", "app.localhost", "127.0.0.1", "127.9.8.7", "[::1]", "::1", "[::ffff:7f00:1]"])
      expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ["example.com", "10.0.0.1", "0.0.0.0", "128.0.0.1", "localhost.example.com", "[::2]", "127.0.0.1.nip.io"])
      expect(isLoopbackHost(h), h).toBe(false);
  });
});

describe("roster", () => {
  it("splits players and spectators, and pairs mix players by game", () => {
    const c = config("--bots", "20", "--game", "mix");
    expect(rosterOf(c)).toEqual({ players: 18, spectators: 2 });
    const roles = Array.from({ length: 20 }, (_, i) => roleOf(c, i));
    expect(roles.slice(0, 6).map((r) => (r.kind === "player" ? r.game : r.kind))).toEqual([
      "connect4",
      "connect4",
      "chess",
      "chess",
      "connect4",
      "connect4",
    ]);
    expect(roles.filter((r) => r.kind === "spectator")).toHaveLength(2);
    expect(roles.slice(18).every((r) => r.kind === "spectator")).toBe(true);
  });

  it("can make everyone a spectator, or nobody", () => {
    expect(rosterOf(config("--bots", "4", "--spectators", "100%"))).toEqual({ players: 0, spectators: 4 });
    expect(rosterOf(config("--bots", "4", "--spectators", "0%"))).toEqual({ players: 4, spectators: 0 });
  });
});
