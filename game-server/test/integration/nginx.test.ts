/**
 * The nginx entry point (nginx/*.conf), with the real nginx binary on loopback:
 * the shipped files pass `nginx -t` as they are and as compose/processes.ts
 * templates them; in front of small HTTP/WebSocket echo servers standing in for
 * nodes, /node/<id>/… reaches that node with the prefix stripped, unknown ids get
 * a 404, everything else is balanced, client-supplied X-Forwarded-For is
 * overwritten, identity tokens stay out of the logs, and a reload adding a node
 * routes it without closing an open WebSocket. Keep-alive: nginx, not the node,
 * closes idle upstream connections, so reusing one never meets a closing node (502).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import {
  fdBudget,
  findCommand,
  freePort,
  httpRequest,
  type ManagedProcess,
  type NginxHandle,
  NGINX_DIR,
  nginxTest,
  renderNginxConf,
  renderNodesConf,
  silentSink,
  spawnProcess,
  startNginx,
  waitForHttp,
  writeNginxPrefix,
} from "../../../compose/processes.ts";
import { HTTP_KEEP_ALIVE_MS, tuneHttpServer } from "../../src/transport.ts";

const NGINX = findCommand("nginx");
const tmp: string[] = [];
const servers: EchoServer[] = [];
const sockets: WebSocket[] = [];
let nginx: NginxHandle | undefined;
const processes: ManagedProcess[] = [];

afterAll(async () => {
  for (const ws of sockets) ws.terminate();
  await nginx?.stop();
  await Promise.all(processes.map((p) => p.stop(5_000)));
  await Promise.all(servers.map((s) => s.close()));
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "tabula-nginx-"));
  tmp.push(d);
  return d;
}

interface Seen {
  server: string;
  url: string | undefined;
  headers: http.IncomingHttpHeaders;
}

interface EchoServer {
  name: string;
  port: number;
  close(): Promise<void>;
}

/** A stand-in node: answers HTTP with what it saw; WebSockets get a hello with what it saw, then echo. */
async function echoServer(name: string): Promise<EchoServer> {
  const server = http.createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    // As large as a node's own response headers (its Content-Security-Policy and the other security headers: ~1.1 KB).
    res.setHeader("content-security-policy", `default-src 'self'; ${"x".repeat(1_200)}`);
    res.end(JSON.stringify({ server: name, url: req.url, headers: req.headers } satisfies Seen));
  });
  const wss = new WebSocketServer({ server });
  wss.on("connection", (ws, req) => {
    ws.send(JSON.stringify({ server: name, url: req.url, headers: req.headers } satisfies Seen));
    ws.on("message", (m) => ws.send(`${name} echo: ${m.toString()}`));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const echo: EchoServer = {
    name,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  servers.push(echo);
  return echo;
}

/** Open a WebSocket; resolves with the socket and the server's hello. */
function connect(url: string, headers: Record<string, string> = {}): Promise<{ ws: WebSocket; hello: Seen }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, handshakeTimeout: 5_000 });
    sockets.push(ws);
    ws.once("message", (m) => resolve({ ws, hello: JSON.parse(m.toString()) as Seen }));
    ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once("error", reject);
  });
}

function nextMessage(ws: WebSocket, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("no message")), timeoutMs);
    ws.once("message", (m) => {
      clearTimeout(t);
      resolve(m.toString());
    });
  });
}

describe("nginx entry point", () => {
  it("is installed", () => {
    expect(NGINX, "nginx not found: apt-get install nginx (Debian)").toBeTruthy();
  });

  it("the shipped files pass nginx -t as they are", () => {
    const prefix = tempDir();
    mkdirSync(join(prefix, "logs"));
    mkdirSync(join(prefix, "temp"));
    const r = nginxTest(prefix, join(NGINX_DIR, "nginx.conf"), NGINX);
    expect(r.output).toBe("");
    expect(r.ok).toBe(true);
  });

  it("the templated files pass nginx -t, for several node lists", () => {
    for (const nodes of [[{ id: "n1", port: 2567 }], [1, 2, 3, 4, 5].map((i) => ({ id: `n${i}`, port: 3000 + i })), []]) {
      const prefix = tempDir();
      const conf = writeNginxPrefix({ prefix, port: 18080, nodes });
      const r = nginxTest(prefix, conf, NGINX);
      expect(r.output).toBe("");
      expect(r.ok).toBe(true);
      expect(readFileSync(join(prefix, "conf/tabula.conf"), "utf8")).toContain("listen 127.0.0.1:18080;");
    }
    // Sized from the descriptor limit (the sizing itself: compose/nginxConf.test.ts): nginx accepts it,
    // for this machine's limit, a small one, a large one, and many workers.
    for (const [openFilesLimit, workerProcesses] of [
      [undefined, undefined],
      [2_048, 1],
      [1_000_000, 2],
      [20_000, 8],
    ]) {
      const prefix = tempDir();
      const conf = writeNginxPrefix({
        prefix,
        port: 18081,
        nodes: [{ id: "n1", port: 2567 }],
        workerProcesses,
        budget: openFilesLimit ? fdBudget({ limit: openFilesLimit, nodes: 1, cores: 2 }) : undefined,
      });
      const r = nginxTest(prefix, conf, NGINX);
      expect(r.output, `limit ${openFilesLimit}, ${workerProcesses} workers`).toBe("");
      expect(r.ok).toBe(true);
    }
    expect(renderNginxConf({ openFilesLimit: 20_000 })).toMatch(
      /^worker_rlimit_nofile 20000;[^\n]*\n[\s\S]*worker_connections 19936;/m,
    );
    expect(renderNginxConf({ workerProcesses: 4 })).toMatch(/^worker_processes 4;/m);
    // The generated upstream keeps the shipped one's keep-alive settings (nginx must close idle connections first).
    const upstreamSettings = (conf: string) => conf.match(/^\s*keepalive(_timeout)? [^;]+;/gm)?.map((l) => l.trim());
    expect(upstreamSettings(renderNodesConf([{ id: "n1", port: 2567 }]))).toEqual(
      upstreamSettings(readFileSync(join(NGINX_DIR, "nodes.conf"), "utf8")),
    );
    expect(() => renderNodesConf([{ id: "bad id", port: 1 }])).toThrow(/bad node id/);
    expect(() => renderNodesConf([{ id: "n1", port: 1, host: "example.com" }])).toThrow(/IP literal/);
  });

  describe("live, in front of two stand-in nodes", () => {
    let base = "";
    let ws = "";
    let n1: EchoServer;
    let n2: EchoServer;

    beforeAll(async () => {
      expect(NGINX).toBeTruthy();
      [n1, n2] = await Promise.all([echoServer("s1"), echoServer("s2")]);
      nginx = await startNginx({
        prefix: tempDir(),
        nodes: [
          { id: "n1", port: n1.port },
          { id: "n2", port: n2.port },
        ],
        output: silentSink,
        command: NGINX,
      });
      base = nginx.url;
      ws = base.replace(/^http/, "ws");
    });

    it("routes /node/<id>/<rest> to that node as /<rest>, as a WebSocket, query kept", async () => {
      const a = await connect(`${ws}/node/n1/foo?x=1`);
      expect(a.hello.server).toBe("s1");
      expect(a.hello.url).toBe("/foo?x=1");
      expect(a.hello.headers.upgrade).toBe("websocket");
      const b = await connect(`${ws}/node/n2/proc-1/room_2?_authToken=a.b.c&reconnectionToken=xyz`);
      expect(b.hello.server).toBe("s2");
      expect(b.hello.url).toBe("/proc-1/room_2?_authToken=a.b.c&reconnectionToken=xyz");
      b.ws.send("ping");
      expect(await nextMessage(b.ws)).toBe("s2 echo: ping");
      // Frames far larger than the socket's small proxy buffers (proxy_buffer_size 1k) cross whole, both ways.
      const big = "x".repeat(20_000);
      b.ws.send(big);
      expect(await nextMessage(b.ws)).toBe(`s2 echo: ${big}`);
      a.ws.close();
      b.ws.close();
    });

    it("answers /node/<id>/healthz from that node over plain HTTP, whole headers and all (operators' per-node check)", async () => {
      for (const [id, server] of [
        ["n1", "s1"],
        ["n2", "s2"],
      ]) {
        const r = await httpRequest(`${base}/node/${id}/healthz`);
        expect(r.status, id).toBe(200);
        expect((JSON.parse(r.body) as Seen).server).toBe(server);
        expect((JSON.parse(r.body) as Seen).url).toBe("/healthz");
        expect(String(r.headers["content-security-policy"]).length).toBeGreaterThan(1_024);
      }
    });

    it("answers an unknown node id with a JSON 404, over HTTP and WebSocket", async () => {
      for (const path of ["/node/nope/x", "/node/nope/p/r?_authToken=t", "/node/", "/node/n1"]) {
        const r = await httpRequest(`${base}${path}`);
        expect(r.status, path).toBe(404);
        expect(r.headers["content-type"]).toBe("application/json");
        expect(JSON.parse(r.body).error.code).toBe("UNKNOWN_NODE");
      }
      await expect(connect(`${ws}/node/nope/p/r`)).rejects.toThrow("HTTP 404");
    });

    it("balances every other path over all nodes", async () => {
      const seen: string[] = [];
      for (let i = 0; i < 6; i++) {
        const r = await httpRequest(`${base}/api/stats?i=${i}`);
        expect(r.status).toBe(200);
        const s = JSON.parse(r.body) as Seen;
        expect(s.url).toBe(`/api/stats?i=${i}`);
        seen.push(s.server);
      }
      // round robin (per nginx worker): every node gets requests
      expect(new Set(seen)).toEqual(new Set(["s1", "s2"]));
    });

    it("overwrites client-supplied forwarding headers", async () => {
      const spoof = {
        "X-Forwarded-For": "6.6.6.6",
        "X-Real-IP": "6.6.6.6",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "evil",
      };
      const r = await httpRequest(`${base}/api/whoami`, { headers: { ...spoof, Host: "play.example" } });
      const seen = JSON.parse(r.body) as Seen;
      const viaWs = (await connect(`${ws}/node/n1/x`, spoof)).hello;
      for (const s of [seen, viaWs]) {
        expect(s.headers["x-forwarded-for"]).toBe("127.0.0.1");
        expect(s.headers["x-real-ip"]).toBe("127.0.0.1");
        expect(s.headers["x-forwarded-proto"]).toBe("http");
        expect(JSON.stringify(s.headers)).not.toContain("6.6.6.6");
        expect(JSON.stringify(s.headers)).not.toContain("evil");
      }
      expect(seen.headers.host).toBe("play.example");
    });

    it("keeps identity tokens out of the logs", async () => {
      const { ws: sock } = await connect(`${ws}/node/n1/p/r?_authToken=SECRET-TOKEN-1`);
      await expect(connect(`${ws}/node/n9/p/r?_authToken=SECRET-TOKEN-2`)).rejects.toThrow("HTTP 404");
      await new Promise<void>((r) => {
        sock.once("close", () => r());
        sock.close();
      });
      await new Promise((r) => setTimeout(r, 200)); // the access log line of a WebSocket is written when it closes
      const access = readFileSync(join(nginx!.prefix, "logs/access.log"), "utf8");
      const errors = readFileSync(join(nginx!.prefix, "logs/error.log"), "utf8");
      expect(access).toContain("/node/n1/p/r");
      expect(access).toMatch(/"GET \/node\/n1\/p\/r HTTP\/1\.1" 101 .* up=127\.0\.0\.1:\d+/);
      expect(access + errors).not.toContain("SECRET-TOKEN");
      expect(access).not.toContain("_authToken");
      // started cleanly: no alerts (e.g. descriptor limits) or warnings
      expect(errors).not.toMatch(/\[(emerg|alert|crit|warn)\]/);
    });

    it("a reload adds a node without closing open WebSockets", async () => {
      const open = await connect(`${ws}/node/n1/game?t=1`);
      let closed = false;
      open.ws.on("close", () => {
        closed = true;
      });
      const n3 = await echoServer("s3");
      const before = await httpRequest(`${base}/node/n3/x`);
      expect(before.status).toBe(404);

      await nginx!.reload([...nginx!.nodes(), { id: "n3", port: n3.port }]);

      const c = await connect(`${ws}/node/n3/proc/room?y=2`);
      expect(c.hello.server).toBe("s3");
      expect(c.hello.url).toBe("/proc/room?y=2");
      // the socket opened before the reload still works, both ways
      open.ws.send("still here");
      expect(await nextMessage(open.ws)).toBe("s1 echo: still here");
      expect(closed).toBe(false);
      // and HTTP is now balanced over three nodes
      const seen = new Set<string>();
      for (let i = 0; i < 6; i++) seen.add((JSON.parse((await httpRequest(`${base}/api/x`)).body) as Seen).server);
      expect(seen).toEqual(new Set(["s1", "s2", "s3"]));
      open.ws.close();
      c.ws.close();
    });

    it("skips a dead node for HTTP and reports it for its WebSockets", async () => {
      await n2.close();
      for (let i = 0; i < 6; i++) {
        const r = await httpRequest(`${base}/api/after-death?i=${i}`);
        expect(r.status).toBe(200);
        expect((JSON.parse(r.body) as Seen).server).not.toBe("s2");
      }
      const r = await httpRequest(`${base}/node/n2/p/r?_authToken=SECRET-TOKEN-3`);
      expect(r.status).toBe(502);
      expect(r.headers["content-type"]).toBe("application/json");
      expect(JSON.parse(r.body).error.code).toBe("NODE_UNAVAILABLE");
      await expect(connect(`${ws}/node/n2/p/r?_authToken=SECRET-TOKEN-4`)).rejects.toThrow("HTTP 502");
      const logs = ["access.log", "error.log"].map((f) => readFileSync(join(nginx!.prefix, "logs", f), "utf8")).join("");
      expect(logs).toContain("/node/n2/p/r");
      expect(logs).not.toContain("SECRET-TOKEN");
    });

    it("a reload removing a node answers its id with 404", async () => {
      await nginx!.reload(nginx!.nodes().filter((n) => n.id !== "n2"));
      expect((await httpRequest(`${base}/node/n2/p/r`)).status).toBe(404);
      expect(nginx!.nodes().map((n) => n.id)).toEqual(["n1", "n3"]);
    });
  });

  describe("keep-alive between nginx and the nodes", () => {
    /** The upstream `keepalive_timeout` of the shipped nginx/nodes.conf, ms. */
    function shippedUpstreamKeepAliveMs(): number {
      const conf = readFileSync(join(NGINX_DIR, "nodes.conf"), "utf8");
      const upstream = /upstream tabula_nodes \{([^}]*)\}/.exec(conf)?.[1] ?? "";
      const m = /^\s*keepalive_timeout\s+(\d+)(ms|s)\s*;/m.exec(upstream);
      if (!m) throw new Error("nginx/nodes.conf: no keepalive_timeout in upstream tabula_nodes");
      return Number(m[1]) * (m[2] === "s" ? 1000 : 1);
    }

    it("nodes keep idle connections well beyond nginx, and nginx never resends a non-idempotent request", () => {
      expect(HTTP_KEEP_ALIVE_MS).toBeGreaterThanOrEqual(shippedUpstreamKeepAliveMs() + 5_000);
      const tabula = readFileSync(join(NGINX_DIR, "tabula.conf"), "utf8");
      const retries = [...tabula.matchAll(/^\s*proxy_next_upstream\s+([^;]*);/gm)].map((m) => m[1]);
      expect(retries).toContain("error timeout");
      expect(retries.join(" ")).not.toMatch(/non_idempotent/);
    });

    it("no 502 when idle connections are reused right at the node's keep-alive timeout (POST, time scaled)", async () => {
      // The shipped timeouts (nginx 30 s, node 65 s) scaled down so that nginx's is 300 ms; the stand-in
      // node has the node's own HTTP settings (tuneHttpServer) at that scale. With the node closing
      // first (e.g. Node's default 5 s behind nginx's default 60 s) this same sweep gets 502s.
      const nginxMs = 300;
      const nodeMs = Math.round((nginxMs * HTTP_KEEP_ALIVE_MS) / shippedUpstreamKeepAliveMs());
      const server = tuneHttpServer(
        http.createServer((req, res) => {
          req.resume();
          req.on("end", () => {
            res.setHeader("content-type", "application/json");
            res.end('{"ok":true}');
          });
        }),
        nodeMs,
      );
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      servers.push({ name: "ka", port: 0, close: () => new Promise<void>((r) => server.close(() => r())) });
      const prefix = tempDir();
      const port = await freePort();
      // One worker: every request shares one pool of idle upstream connections.
      const conf = writeNginxPrefix({
        prefix,
        port,
        nodes: [{ id: "n1", port: (server.address() as AddressInfo).port }],
        workerProcesses: 1,
      });
      const nodesConf = join(prefix, "conf/nodes.conf");
      const generated = readFileSync(nodesConf, "utf8");
      expect(generated).toMatch(/keepalive_timeout 30s;/);
      writeFileSync(nodesConf, generated.replace(/keepalive_timeout 30s;/, `keepalive_timeout ${nginxMs}ms;`));
      expect(nginxTest(prefix, conf, NGINX).ok).toBe(true);
      const proc = spawnProcess({
        name: "nginx",
        command: NGINX as string,
        args: ["-p", `${prefix}/`, "-c", conf, "-g", "daemon off;"],
        output: silentSink,
      });
      processes.push(proc);
      const base = `http://127.0.0.1:${port}`;
      await waitForHttp(`${base}/nginx-healthz`, 10_000, { process: proc });

      const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
      const post = () =>
        new Promise<number>((resolve) => {
          const req = http.request(
            `${base}/api/guest`,
            { method: "POST", agent, headers: { "content-type": "application/json" } },
            (res) => {
              res.resume();
              res.on("end", () => resolve(res.statusCode ?? 0));
            },
          );
          req.on("error", () => resolve(-1));
          req.end("{}");
        });
      const statuses: Record<number, number> = {};
      let sent = 0;
      try {
        // Around nginx's timeout, and finely around the node's (where the race is): 24 idle connections
        // reused after each gap.
        for (const [around, step] of [
          [nginxMs, 3],
          [nodeMs, 1],
        ]) {
          for (let gap = around - 6; gap <= around + 6; gap += step) {
            await Promise.all(Array.from({ length: 24 }, post));
            await new Promise((r) => setTimeout(r, gap));
            for (const status of await Promise.all(Array.from({ length: 24 }, post)))
              statuses[status] = (statuses[status] ?? 0) + 1;
            sent += 24;
          }
        }
      } finally {
        agent.destroy();
      }
      expect(statuses).toEqual({ 200: sent });
    });
  });
});
