/**
 * The rejoin path: a player who lost its node joins its game again by id
 * (`POST /matchmake/joinById/<gameId>`, on whichever node nginx picks).
 * Colyseus would look the game's listing up and ask the listed process to
 * reserve a seat; if that process is dead, the request waits out Colyseus'
 * inter-process timeout, then its health check (1 s each here), before
 * failing. So before Colyseus reserves anything, the node checks the game's
 * lease holder: a dead host's game is taken over right here
 * (`Takeover.rescue`), and a game still being moved by another node is
 * refused at once, so that the client's next attempt finds it.
 */
import { ErrorCode, matchMaker, ServerError } from "@colyseus/core";
import type { Takeover } from "./takeover.ts";

/** What a refused rejoin says (it contains "not found", which clients already treat as "being rebuilt: retry"). */
export const MOVING_MESSAGE = "not found here yet: the game is moving to another server, try again";

/** Check every join by id with `takeover.rescue` before Colyseus reserves a seat. */
export function guardRejoins(takeover: Pick<Takeover, "rescue">): void {
  const controller = matchMaker.controller;
  const invoke = controller.invokeMethod.bind(controller);
  controller.invokeMethod = async (method, roomName, clientOptions, authOptions) => {
    if (method === "joinById" && !(await takeover.rescue(roomName))) {
      throw new ServerError(ErrorCode.MATCHMAKE_INVALID_ROOM_ID, `room "${roomName}" ${MOVING_MESSAGE}`);
    }
    return invoke(method, roomName, clientOptions, authOptions);
  };
}
