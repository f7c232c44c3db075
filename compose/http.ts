/** HTTP checks of a local cluster's processes, with time limits. */
import http from "node:http";
import type { ManagedProcess } from "./spawn.ts";
import { indent, sleep } from "./spawn.ts";

export interface HttpResult {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: string;
}

/**
 * One request (GET by default) on a fresh connection, with a time limit
 * (default 5 s); the body read as text. node:http rather than fetch, on
 * purpose: the nginx checks need a fresh connection per request (a pooled one
 * may still reach an old worker after a reload) and a Host header of their
 * own, and fetch allows neither.
 */
export function httpRequest(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
): Promise<HttpResult> {
  return new Promise((res, rej) => {
    const req = http.request(url, { method: opts.method ?? "GET", headers: opts.headers, agent: false }, (r) => {
      let body = "";
      r.setEncoding("utf8");
      r.on("data", (d: string) => {
        body += d;
      });
      r.on("end", () => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) headers[k] = String(v);
        res({ status: r.statusCode ?? 0, headers, body });
      });
      r.on("error", rej);
    });
    req.setTimeout(opts.timeoutMs ?? 5_000, () => req.destroy(new Error(`timeout: ${url}`)));
    req.on("error", rej);
    req.end(opts.body);
  });
}

/** GET `url` with fetch within `timeoutMs`. */
async function get(url: string, timeoutMs: number): Promise<HttpResult> {
  const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: r.status, headers: Object.fromEntries(r.headers), body: await r.text() };
}

/**
 * Poll `url` until it answers with a 2xx status (or until `ok` accepts the
 * answer). Throws after `timeoutMs`, or at once if `process` exits meanwhile
 * (with its last output lines). Resolves with the accepted answer.
 */
export async function waitForHttp(
  url: string,
  timeoutMs = 30_000,
  opts: { ok?: (r: HttpResult) => boolean; process?: ManagedProcess; intervalMs?: number } = {},
): Promise<HttpResult> {
  const ok = opts.ok ?? ((r: HttpResult) => r.status >= 200 && r.status < 300);
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  for (;;) {
    if (opts.process?.hasExited()) throw await exitedError(opts.process, `before ${url} answered`);
    try {
      const r = await get(url, Math.max(500, Math.min(5_000, deadline - Date.now())));
      if (ok(r)) return r;
      last = `HTTP ${r.status} ${r.body.slice(0, 200)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${url} did not become ready within ${timeoutMs} ms (last: ${last})`);
    await sleep(opts.intervalMs ?? 150);
  }
}

/** The error for a child that exited `when` (e.g. "during start-up"), with its last output. */
export async function exitedError(proc: ManagedProcess, when: string): Promise<Error> {
  const { code, signal } = await proc.exited;
  await Promise.race([proc.closed, sleep(1_000)]); // its last words
  return new Error(`${proc.name} exited (${signal ?? `code ${code}`}) ${when}; its last output:\n${indent(proc.output())}`);
}
