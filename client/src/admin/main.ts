/**
 * The operator page (/admin; admin.html): sign-in with an operator's identity
 * token, then the cluster live — nodes and their health, totals, figures of
 * the last 10 minutes as charts, the live games — polled every POLL_MS while
 * the page is visible, and the audit log searched on demand. A valid identity
 * that is not an operator (403) sees "Not an operator" and no data.
 */
import "../style.css";
import "./admin.css";
import { ApiError, errorText } from "../api.ts";
import { apiBase } from "../endpoint.ts";
import { initI18n } from "../i18n/index.ts";
import { Poller } from "../poller.ts";
import { $, busy, setText, show, toast } from "../ui.ts";
import { AdminApi, type AuditFilters } from "./adminApi.ts";
import { clockText, localInputToIso } from "./adminFormat.ts";
import { FigureCharts } from "./charts.ts";
import { showAudit, showGames, showOverview } from "./views.ts";

// The operator page stays in English (client/README.md): the shared helpers it uses (errors, game names) follow.
initI18n("en");

/** How often the live parts refresh, ms (the figures' own interval is 5 s by default). */
const POLL_MS = 3000;
/** Audit entries per page. */
const AUDIT_PAGE = 50;

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

const api = new AdminApi(apiBase(import.meta.env.VITE_SERVER_URL as string | undefined), storage());
const charts = new FigureCharts();
type State = "loading" | "signin" | "refused" | "dashboard";

function setState(state: State, why = ""): void {
  document.body.dataset.state = state;
  show($("admin-signin"), state === "signin" || state === "refused");
  show($("admin-refused"), state === "refused");
  show($("admin-dashboard"), state === "dashboard");
  show($("admin-signout"), api.signedIn);
  show($("admin-updated"), state === "dashboard");
  setText($("admin-signin-why"), why);
  live.setActive(state === "dashboard" && document.visibilityState === "visible");
  if (state !== "dashboard") {
    $("nodes-body").replaceChildren();
    $("admin-games").replaceChildren();
    $("audit-body").replaceChildren();
  }
}

/** An answer that says the identity is not (or no longer) good enough: the page falls back to sign-in. */
function refusal(err: unknown): boolean {
  if (!(err instanceof ApiError)) return false;
  if (err.status === 401) {
    setText($("admin-whoami"), "not signed in");
    setState("signin", api.signedIn ? `That token is not accepted: ${err.message}.` : "");
    return true;
  }
  if (err.status === 403) {
    setState("refused");
    return true;
  }
  return false;
}

async function refreshLive(): Promise<void> {
  try {
    const [overview, games, figures] = await Promise.all([api.overview(), api.games(), api.figures(10)]);
    showOverview(overview);
    showGames(games.games);
    charts.update(figures.points);
    setText(
      $("figures-note"),
      `Figures every ${figures.intervalMs / 1000} s over the last 10 minutes, ${figures.source === "cluster" ? "every node" : "this node only"}.`,
    );
    setText($("admin-updated"), `updated ${clockText(overview.at)}`);
    show($("admin-error"), false);
  } catch (err) {
    if (refusal(err)) return;
    setText($("admin-error"), `Cannot update: ${errorText(err)}`);
    show($("admin-error"), true);
  }
}

const live = new Poller(refreshLive, POLL_MS);

// ---------------------------------------------------------------------------
// Audit search, newest first, a page at a time ("Older" follows the server's cursor).

let auditFilters: AuditFilters = {};
let auditCursors: string[] = [];

function readAuditForm(): AuditFilters {
  const value = (id: string) => ($(id) as HTMLInputElement).value.trim() || undefined;
  return {
    from: localInputToIso(($("audit-from") as HTMLInputElement).value),
    to: localInputToIso(($("audit-to") as HTMLInputElement).value),
    kind: value("audit-kind"),
    playerId: value("audit-player"),
    gameId: value("audit-game"),
    limit: AUDIT_PAGE,
  };
}

async function searchAudit(before?: string): Promise<void> {
  setText($("audit-status"), "Searching…");
  try {
    const page = await api.audit({ ...auditFilters, before });
    showAudit(page.entries);
    auditCursors = before ? [...auditCursors, before] : [];
    const next = page.next;
    ($("audit-older") as HTMLButtonElement).disabled = !next;
    ($("audit-older") as HTMLButtonElement).dataset.cursor = next ?? "";
    ($("audit-newest") as HTMLButtonElement).disabled = auditCursors.length === 0;
    const where = auditCursors.length ? ` (page ${auditCursors.length + 1})` : "";
    setText(
      $("audit-status"),
      page.entries.length
        ? `${page.entries.length} ${page.entries.length === 1 ? "entry" : "entries"}${where}, newest first.`
        : "No entries match.",
    );
  } catch (err) {
    if (refusal(err)) return;
    setText($("audit-status"), `Search failed: ${errorText(err)}`);
  }
}

function bindAudit(): void {
  $("audit-form").addEventListener("submit", (e) => {
    e.preventDefault();
    auditFilters = readAuditForm();
    void busy($("audit-search") as HTMLButtonElement, () => searchAudit());
  });
  $("audit-clear").addEventListener("click", () => {
    for (const id of ["audit-from", "audit-to", "audit-kind", "audit-player", "audit-game"])
      ($(id) as HTMLInputElement).value = "";
    auditFilters = readAuditForm();
    void searchAudit();
  });
  // Reports: the audit log's chat.report events (the message as stored, its sender, the reporter and the reason).
  $("audit-reports").addEventListener("click", () => {
    ($("audit-kind") as HTMLInputElement).value = "chat.report";
    auditFilters = readAuditForm();
    void busy($("audit-reports") as HTMLButtonElement, () => searchAudit());
  });
  $("audit-older").addEventListener("click", () => {
    const cursor = ($("audit-older") as HTMLButtonElement).dataset.cursor;
    if (cursor) void searchAudit(cursor);
  });
  $("audit-newest").addEventListener("click", () => void searchAudit());
}

// ---------------------------------------------------------------------------

/** Check the token in use and show what it may see. */
async function enter(): Promise<void> {
  if (!api.token) {
    setState("signin");
    return;
  }
  setState("loading");
  try {
    const me = await api.me();
    setText($("admin-whoami"), me.name);
    setState("dashboard");
    auditFilters = readAuditForm();
    void searchAudit();
  } catch (err) {
    if (refusal(err)) return;
    setState("signin", `Cannot reach the server: ${errorText(err)}`);
  }
}

function bind(): void {
  $("admin-signin-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const input = $("admin-token") as HTMLInputElement;
    const token = input.value.trim();
    if (!token) {
      toast("Paste an operator's identity token.", "error");
      return;
    }
    api.signIn(token);
    input.value = "";
    void busy($("admin-signin-button") as HTMLButtonElement, enter);
  });
  $("admin-signout").addEventListener("click", () => {
    api.signOut();
    charts.destroy();
    setText($("admin-whoami"), "not signed in");
    void enter();
  });
  document.addEventListener("visibilitychange", () => {
    live.setActive(document.body.dataset.state === "dashboard" && document.visibilityState === "visible");
  });
  bindAudit();
}

bind();
void enter();
