/**
 * The API's HTTP layer: one JSON request with a deadline, and the error every
 * failure becomes (ApiError: the server's code and message, or TIMEOUT /
 * NETWORK when it could not be asked). api.ts builds on it.
 */

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
  /** LOGIN_THROTTLED: seconds until a login may be tried again. */
  readonly retryAfterS: number | undefined;

  constructor(status: number, code: string, message: string, retryAfterS?: number) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.retryAfterS = retryAfterS;
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
    const e = (data as { error?: { code?: string; message?: string; retryAfterS?: number } } | null)?.error;
    const message = e?.message ?? `${res.status} ${res.statusText}`;
    throw new ApiError(res.status, e?.code ?? `HTTP_${res.status}`, message, e?.retryAfterS);
  }
  return data as T;
}

/** A short, human message for an error thrown by the API or the network. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
