import { HTTP_ERRORS, type HttpErrorBody, type HttpErrorCode } from "@tabula/shared/protocol";

/**
 * An error meant for the client: a stable code from the closed set `HTTP_ERRORS`
 * (docs/protocol.md) with a readable message. The HTTP status is the code's own,
 * so a code can never travel with the wrong status.
 */
export class ClientError extends Error {
  readonly code: HttpErrorCode;

  constructor(code: HttpErrorCode, message: string) {
    super(message);
    this.code = code;
  }

  /** The HTTP status of this error's code. */
  get status(): number {
    return HTTP_ERRORS[this.code].status;
  }

  /** The JSON body every HTTP error answers with. */
  body(): HttpErrorBody {
    return errorBody(this.code, this.message);
  }
}

/** NAME_TAKEN with a free name to offer instead (`suggestion` in the body), when one was found. */
export class NameTakenError extends ClientError {
  readonly suggestion: string | null;

  constructor(name: string, suggestion: string | null) {
    super("NAME_TAKEN", `the name ${name} is taken`);
    this.suggestion = suggestion;
  }

  body(): HttpErrorBody {
    const b = super.body();
    if (this.suggestion !== null) b.error.suggestion = this.suggestion;
    return b;
  }
}

/** `{ error: { code, message } }` for `code`: the one shape of every HTTP error body. */
export function errorBody(code: HttpErrorCode, message: string): HttpErrorBody {
  return { error: { code, message } };
}
