/**
 * The operator API (/api/admin) from the page, and the operator's token. The
 * token is kept in localStorage under its own key, as the game keeps its
 * guest token (api.ts), so an operator's identity never replaces the guest
 * this browser plays as. Without one, the page tries the guest token: a
 * player who opens /admin learns at once that they are not an operator.
 */
import type { AdminFigures, AdminOverview, AuditPage } from "@tabula/shared/protocol";
import { Api, ApiError, TOKEN_KEY } from "../api.ts";

export const ADMIN_TOKEN_KEY = "tabula.adminToken";

type Storage = Pick<globalThis.Storage, "getItem" | "setItem" | "removeItem">;

export interface AdminGame {
  gameId: string;
  kind: string;
  timeControl: string;
  players: Array<{ name: string; isBot: boolean }>;
  spectators: number;
  node: string;
  createdAt: number;
}

/** Audit search filters; empty ones are left out of the query. */
export interface AuditFilters {
  from?: string;
  to?: string;
  kind?: string;
  playerId?: string;
  gameId?: string;
  before?: string;
  limit?: number;
}

/** The query string of `filters` (leading "?", or "" when there is none). */
export function auditQuery(filters: AuditFilters): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) {
    if (v !== undefined && v !== null && String(v).trim() !== "") q.set(k, String(v).trim());
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}

export class AdminApi {
  private readonly api: Api;
  private readonly storage: Storage | null;

  constructor(base: string, storage: Storage | null) {
    this.api = new Api(base, { storage: null });
    this.storage = storage;
  }

  /** The token requests carry: the operator's, else the guest's (or null). */
  get token(): string | null {
    return this.storage?.getItem(ADMIN_TOKEN_KEY) ?? this.storage?.getItem(TOKEN_KEY) ?? null;
  }

  /** Whether the token in use is one pasted on this page (not the game's guest token). */
  get signedIn(): boolean {
    return Boolean(this.storage?.getItem(ADMIN_TOKEN_KEY));
  }

  signIn(token: string): void {
    this.storage?.setItem(ADMIN_TOKEN_KEY, token.trim());
  }

  signOut(): void {
    this.storage?.removeItem(ADMIN_TOKEN_KEY);
  }

  private get<T>(path: string): Promise<T> {
    const token = this.token;
    if (!token) return Promise.reject(new ApiError(401, "UNAUTHENTICATED", "no identity token"));
    return this.api.request<T>("GET", `/admin${path}`, undefined, { token });
  }

  me(): Promise<{ id: string; name: string; operator: boolean }> {
    return this.get("/me");
  }

  overview(): Promise<AdminOverview> {
    return this.get("/overview");
  }

  games(): Promise<{ games: AdminGame[] }> {
    return this.get("/games");
  }

  figures(minutes = 10): Promise<AdminFigures> {
    return this.get(`/figures?minutes=${minutes}`);
  }

  audit(filters: AuditFilters): Promise<AuditPage> {
    return this.get(`/audit${auditQuery(filters)}`);
  }
}
