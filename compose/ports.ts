/**
 * Ports on loopback. Our own nodes bind port 0 and report the port they got
 * (see node.ts), so they never race for one. Third-party servers (redis-server,
 * nginx, PostgreSQL) need their port up front: `onFreePort` picks one the OS
 * reports free and, since another process may take it before the server binds
 * it, starts again on another when the server says the address is in use.
 */
import { createServer } from "node:net";

/** True when nothing listens on host:port (we can bind it). */
export function isPortFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((res) => {
    const s = createServer();
    s.once("error", () => res(false));
    s.listen({ port, host, exclusive: true }, () => s.close(() => res(true)));
  });
}

export class PortBusyError extends Error {
  busy: { port: number; what: string }[];
  constructor(busy: { port: number; what: string }[]) {
    super(`port${busy.length > 1 ? "s" : ""} already in use: ${busy.map((b) => `${b.port} (${b.what})`).join(", ")}`);
    this.busy = busy;
  }
}

/** Throw PortBusyError naming every port of `ports` that is taken. */
export async function assertPortsFree(ports: { port: number; what: string }[], host = "127.0.0.1"): Promise<void> {
  const busy: { port: number; what: string }[] = [];
  for (const p of ports) if (!(await isPortFree(p.port, host))) busy.push(p);
  if (busy.length) throw new PortBusyError(busy);
}

/**
 * A port the OS reports free right now — a probe: someone else may bind it
 * before you do. Use it only through `onFreePort` (or where a collision is
 * retried), never to hand a port to one of our own nodes (they bind port 0).
 */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, host, () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

/** The words redis-server, nginx and PostgreSQL use when their port is taken. */
const IN_USE = /address already in use|EADDRINUSE|could not create any TCP\/IP sockets/i;

/** Whether `err` (a start-up failure, with the server's last output in its message) says the port was taken. */
export function isPortCollision(err: unknown): boolean {
  return IN_USE.test(String((err as Error)?.message ?? err));
}

/**
 * Start a server that needs its port up front: on `port` when given (a
 * collision is then the caller's error), else on a free port, trying another
 * (up to `attempts`, default 5) when the start fails because that port was
 * taken meanwhile.
 */
export async function onFreePort<T>(port: number | undefined, start: (port: number) => Promise<T>, attempts = 5): Promise<T> {
  if (port !== undefined) return start(port);
  for (let i = 1; ; i++) {
    try {
      return await start(await freePort());
    } catch (err) {
      if (i >= attempts || !isPortCollision(err)) throw err;
    }
  }
}
