/**
 * The Colyseus SDK client every bot, bench driver and test player uses,
 * signed in the one way the protocol allows: the identity token goes in the
 * Authorization header of the HTTP seat reservation, never in a URL. The
 * SDK's own `client.auth.token` would also append it to the room socket's
 * URL (`?_authToken=`), which the server refuses (4401): the socket presents
 * the reservation's one-time ticket instead (docs/protocol.md, "Joining a room").
 */
import { Client } from "@colyseus/sdk";

const tokens = new WeakMap<Client, string>();

/** An SDK client for `base` (http://host:port) whose seat reservations carry `token` as a Bearer header. */
export function sdkClient(base: string, token: string, options: { fetchFn?: typeof fetch } = {}): Client {
  const client = new Client(base, { ...options, headers: { authorization: `Bearer ${token}` } });
  tokens.set(client, token);
  return client;
}

/** The identity token `client` was made with (sdkClient). */
export function tokenOf(client: Client): string {
  const token = tokens.get(client);
  if (token === undefined) throw new Error("not a client made by sdkClient");
  return token;
}
