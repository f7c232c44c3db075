/** An error meant for the client: an HTTP status and a stable error code (docs/protocol.md) with a readable message. */
export class ClientError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}
