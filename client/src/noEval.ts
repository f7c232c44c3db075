/**
 * The page's Content-Security-Policy allows no eval (game-server/src/http/securityHeaders.ts).
 * zod compiles object parsers with `new Function` when it may, and finds out whether it may by
 * trying once: under the CSP that attempt is refused, and the refusal is reported as a CSP
 * violation. Jitless mode skips both. Imported first by main.ts, so it runs before any parse.
 */
import { z } from "zod";

z.config({ jitless: true });
