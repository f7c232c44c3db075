/**
 * `npm run admin`: make operator identities for the operator page (/admin).
 * See USAGE and docs/operations.md. Talks to DATABASE_URL, or to the embedded
 * PostgreSQL that `npm start` / `npm run cluster` runs (EMBEDDED_PG_PORT),
 * which must be running; applies the migrations first (as a node does), so it
 * also works on a fresh database before any node started.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { createTokenService } from "../../auth/tokens.ts";
import { type Config, usesDevSecret } from "../../config.ts";
import { openDatabase } from "../../db/client.ts";
import { migrate } from "../../db/migrate.ts";
import { createLogger } from "../../log.ts";
import { createAuditLog } from "../../audit/writer.ts";
import { configOrExit, databaseUrlOf, EXIT, failureMessage, REPO_ROOT } from "../backup/cliSupport.ts";
import { createOperator, type OperatorIdentity, operatorToken, withOperator } from "./operators.ts";

const USAGE = `Usage: npm run admin -- <command>

  create <name>        a new player named <name>: prints its id, an identity token to sign in
                       with on the operator page (/admin), and the ADMIN_PLAYER_IDS line that
                       makes it an operator (set it on every node and restart them)
  token <player id>    a fresh identity token for an existing player (the old one expired)

Settings (environment, as for a node): DATABASE_URL or EMBEDDED_PG_PORT, TOKEN_SECRET (the nodes'
own: tokens are signed with it), TOKEN_TTL_DAYS, ADMIN_PLAYER_IDS (the current list, to print the new one).
Exit codes: 0 done, 1 failed (database unreachable, no such player), 2 bad usage or settings.`;

const Name = z.string().trim().min(1, "a name").max(20, "at most 20 characters");
const Id = z.string().uuid("a player id (UUID)");

/** The settings in use, once read: the failure message names the database they point at. */
let used: Config | undefined;

async function main(): Promise<number> {
  let positionals: string[];
  try {
    const parsed = parseArgs({ allowPositionals: true, options: { help: { type: "boolean", short: "h" } } });
    if (parsed.values.help) {
      console.log(USAGE);
      return EXIT.ok;
    }
    positionals = parsed.positionals;
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const [command, arg, ...extra] = positionals;
  const schema = command === "create" ? Name : command === "token" ? Id : undefined;
  const checked = schema?.safeParse(arg ?? "");
  if (!schema || !checked?.success || extra.length > 0) {
    const why = !schema
      ? command
        ? `unknown command "${command}"`
        : "no command"
      : extra.length
        ? "one argument only"
        : `${command}: ${checked?.error?.issues[0]?.message}`;
    console.error(`${why}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const config = configOrExit();
  used = config;
  if (usesDevSecret(config)) {
    console.error(
      "warning: TOKEN_SECRET is not set: the token is signed with the development secret (nodes in production refuse it)",
    );
  }
  const databaseUrl = databaseUrlOf(config);
  const log = createLogger({ level: "warn", json: false, nodeId: "admin" });
  await migrate(databaseUrl, resolve(REPO_ROOT, "prisma/migrations"), log, config.tablespaces);
  const database = openDatabase(databaseUrl, 2);
  // An operator made or handed a token is a security event: in the audit log like the nodes' own (audit/).
  const audit = createAuditLog({ sql: database.pool, nodeId: "npm run admin", log });
  try {
    const tokens = createTokenService(config.tokenSecret, config.tokenTtlDays);
    let who: OperatorIdentity | null;
    if (command === "create") {
      who = await createOperator(database.db, tokens, checked.data);
      audit.record({ kind: "identity.created", playerId: who.id, detail: { name: who.name } });
      audit.record({ kind: "admin.create_operator", playerId: who.id, detail: { name: who.name } });
    } else {
      who = await operatorToken(database.db, tokens, checked.data);
      if (!who) {
        console.error(`no player with id ${checked.data}`);
        return EXIT.failed;
      }
      audit.record({ kind: "admin.issue_token", playerId: who.id, detail: { name: who.name } });
    }
    const listed = config.adminPlayerIds.includes(who.id);
    console.log(`player:  ${who.name}`);
    console.log(`id:      ${who.id}`);
    console.log(`token:   ${who.token}`);
    console.log(`expires: in ${config.tokenTtlDays} days (TOKEN_TTL_DAYS)`);
    console.log("");
    if (listed) console.log("Already an operator (in ADMIN_PLAYER_IDS).");
    else {
      console.log("Make it an operator: set this on every node and restart them:");
      console.log(`ADMIN_PLAYER_IDS=${withOperator(config.adminPlayerIds, who.id)}`);
    }
    console.log("Then open /admin and paste the token. Keep it secret: it is the operator's password.");
    return EXIT.ok;
  } finally {
    await audit.close();
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`admin: ${failureMessage(err, used)}`);
    process.exit(EXIT.failed);
  },
);
