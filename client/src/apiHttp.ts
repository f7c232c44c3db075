/**
 * The API's HTTP layer: one JSON request with a deadline, and the error every
 * failure becomes (ApiError: the server's code and message, or TIMEOUT /
 * NETWORK when it could not be asked). api.ts builds on it. What an error says
 * to the player is its code's translation (errorCodes.ts), never the server's
 * English message.
 */
import { codeText, isKnownCode } from "./errorCodes.ts";
import { t } from "./i18n/index.ts";

/**
 * How long an API request may take before it is given up, ms. A stalled node
 * behind nginx accepts connections and never answers (nginx waits 75 s), and
 * a browser holds at most 6 connections per host: requests left hanging
 * would soon block every other one, game re-joins included.
 */
export const REQUEST_TIMEOUT_MS = 10_000;

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** LOGIN_THROTTLED, PASSWORD_THROTTLED, CHAT_RATE_LIMITED: seconds until it may be tried again. */
  readonly retryAfterS: number | undefined;
  /** NAME_TAKEN: a free name close to the one asked for (POST /api/guest with `ifTaken: "suggest"`). */
  readonly suggestion: string | undefined;

  constructor(status: number, code: string, message: string, retryAfterS?: number, suggestion?: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.retryAfterS = retryAfterS;
    this.suggestion = suggestion;
  }
}

/**
 * `method` `url` with `body` as JSON and `token` as the Bearer token; resolves the answer's JSON. Gives up after
 * `timeoutMs` (default REQUEST_TIMEOUT_MS); an HTTP error becomes ApiError with the server's code and message.
 */
export async function fetchJson<T>(
  fetchFn: typeof fetch,
  url: string,
  method: string,
  body: unknown,
  opts: { signal?: AbortSignal; token?: string; timeoutMs?: number },
): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? REQUEST_TIMEOUT_MS);
  let res: Response;
  try {
    res = await fetchFn(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout,
    });
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    if (timeout.aborted) throw new ApiError(0, "TIMEOUT", "the server did not answer in time");
    throw new ApiError(0, "NETWORK", "cannot reach the server");
  }
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    type Body = { error?: { code?: string; message?: string; retryAfterS?: number; suggestion?: string } };
    const e = (data as Body | null)?.error;
    const message = e?.message ?? `${res.status} ${res.statusText}`;
    // The wait is in the body for logins and passwords, in Retry-After for chat and the rate limits.
    const header = Number(res.headers.get("retry-after") ?? Number.NaN);
    const retryAfterS = e?.retryAfterS ?? (Number.isFinite(header) && header > 0 ? header : undefined);
    const suggestion = typeof e?.suggestion === "string" ? e.suggestion : undefined;
    throw new ApiError(res.status, e?.code ?? `HTTP_${res.status}`, message, retryAfterS, suggestion);
  }
  return data as T;
}

/**
 * A short message for the player, in the current language, for an error thrown by the API, the network
 * or the session: the code's translation (errorCodes.ts). Anything else is unexpected and says so.
 */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return codeText(err.code, { retryAfterS: err.retryAfterS, status: err.status });
  if (err instanceof Error && err.name === "SessionLostError") return codeText("SESSION_LOST");
  const detail = err instanceof Error ? err.message : String(err);
  // A refusal relayed by the SDK (a seat reservation's) starts with the server's code: "PASSWORD_REQUIRED: …".
  const lead = /^([A-Z][A-Z0-9_]+)\b/.exec(detail)?.[1];
  if (lead && isKnownCode(lead)) return codeText(lead);
  return t("errors:unexpected", { detail });
}
