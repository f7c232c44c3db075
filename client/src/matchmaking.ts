/**
 * Waiting for a ticket (quick play or invite) to be matched: long-polls
 * GET /api/matchmaking/tickets/:ticket?wait=20 while it is "waiting". Network
 * trouble and 5xx answers are retried with backoff; 4xx answers are final.
 */
import type { TicketResponse } from "@tabula/shared/protocol";
import { ApiError } from "./api.ts";
import { backoffDelay } from "./backoff.ts";

export interface TicketPoller {
  pollTicket(ticket: string, waitSeconds: number, signal?: AbortSignal): Promise<TicketResponse>;
}

export interface WaitOptions {
  signal?: AbortSignal;
  /** Seconds the server may hold each poll. */
  waitSeconds?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  onRetry?: (err: unknown, attempt: number) => void;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(abortError());
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export function abortError(): Error {
  const e = new Error("aborted");
  e.name = "AbortError";
  return e;
}

export function isAbort(err: unknown): boolean {
  return (err as Error | null)?.name === "AbortError";
}

/** Resolve with the ticket once it is no longer "waiting" (matched, cancelled or expired). */
export async function waitForTicket(api: TicketPoller, first: TicketResponse, opts: WaitOptions = {}): Promise<TicketResponse> {
  const wait = opts.waitSeconds ?? 20;
  const pause = opts.sleep ?? sleep;
  let ticket = first;
  let failures = 0;
  while (ticket.status === "waiting") {
    if (opts.signal?.aborted) throw abortError();
    try {
      ticket = await api.pollTicket(first.ticket, wait, opts.signal);
      failures = 0;
    } catch (err) {
      if (isAbort(err)) throw err;
      const retryable = err instanceof ApiError && (err.status === 0 || err.status >= 500 || err.status === 429);
      if (!retryable) throw err;
      opts.onRetry?.(err, failures);
      await pause(backoffDelay(failures), opts.signal);
      failures++;
    }
  }
  return ticket;
}
