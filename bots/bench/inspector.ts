/**
 * A node's memory, asked from outside through its inspector (the node runs
 * with `--inspect=127.0.0.1:0`; nothing in the server knows): force a full
 * garbage collection, read `process.memoryUsage()`, write a heap snapshot.
 * Speaks the Chrome DevTools Protocol over one WebSocket (`ws`).
 */
import { WebSocket } from "ws";

/** What `process.memoryUsage()` says, bytes. */
export interface NodeMemory {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** The inspector's WebSocket URL in a line the node printed ("Debugger listening on ws://…"), if it is that line. */
export function inspectorUrlIn(line: string): string | undefined {
  return /Debugger listening on (ws:\/\/\S+)/.exec(line)?.[1];
}

export class Inspector {
  private readonly ws: WebSocket;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on("message", (data) => {
      const msg = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
      const w = msg.id === undefined ? undefined : this.waiting.get(msg.id);
      if (!w) return;
      this.waiting.delete(msg.id!);
      if (msg.error) w.reject(new Error(`inspector: ${msg.error.message}`));
      else w.resolve(msg.result);
    });
    ws.on("close", () => {
      for (const w of this.waiting.values()) w.reject(new Error("inspector connection closed"));
      this.waiting.clear();
    });
  }

  /** Connect to the inspector at `url` (ws://127.0.0.1:<port>/<uuid>). */
  static connect(url: string, timeoutMs = 10_000): Promise<Inspector> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { handshakeTimeout: timeoutMs, perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
      ws.once("open", () => resolve(new Inspector(ws)));
      ws.once("error", reject);
    });
  }

  private call<T>(method: string, params: Record<string, unknown> = {}, timeoutMs = 120_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`inspector: ${method} got no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Evaluate `expression` in the node's main context; its value (JSON-able). */
  async evaluate<T>(expression: string, timeoutMs?: number): Promise<T> {
    const r = await this.call<{ result: { value?: T }; exceptionDetails?: { text: string } }>(
      "Runtime.evaluate",
      { expression, returnByValue: true, awaitPromise: true },
      timeoutMs,
    );
    if (r.exceptionDetails) throw new Error(`inspector: ${expression}: ${r.exceptionDetails.text}`);
    return r.result.value as T;
  }

  /** Full garbage collections (`rounds`, default 2: weak references and finalizers settle on the second), then the node's memory. */
  async memoryAfterGc(rounds = 2): Promise<NodeMemory> {
    for (let i = 0; i < rounds; i++) await this.call("HeapProfiler.collectGarbage");
    return this.evaluate<NodeMemory>("process.memoryUsage()");
  }

  /** Write a heap snapshot to `path` (in the node's process; it garbage-collects first). */
  async writeHeapSnapshot(path: string): Promise<string> {
    const expr = `process.getBuiltinModule("node:v8").writeHeapSnapshot(${JSON.stringify(path)})`;
    return this.evaluate<string>(expr, 600_000);
  }

  close(): void {
    this.ws.close();
  }
}
