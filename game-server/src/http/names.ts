/** A chosen name that is taken (POST /api/guest with `ifTaken: "suggest"`, POST /api/accounts): refused with an alternative. */
import type { Db } from "../db/client.ts";
import { freeNameLike } from "../db/players.ts";
import { NameTakenError } from "../errors.ts";

/** Throw 409 NAME_TAKEN for `name`, with a free name close to it (`suggestion`) to offer instead. */
export async function refuseTakenName(db: Db, name: string): Promise<never> {
  throw new NameTakenError(name, await freeNameLike(db, name));
}
