/**
 * The node:http floor of the benchmark: a plain node:http server, in its own
 * process, that answers at once. GET /healthz is 200 {"status":"ok"} (what the
 * gateway answers there); GET /metrics exports gateway_open_connections like the
 * gateway, so the load tool proves its barrier the same way. Same listen backlog
 * and keep-alive timeouts as the gateway (api-gateway/src/main.ts, config.ts),
 * so the two floors differ only by what the gateway does per request.
 *
 *   PORT=0 node dist/tools/bench/floor-server.js   -> prints "listening <port>" on stdout
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const BODY = '{"status":"ok"}';
let open = 0;

const server = http.createServer((req, res) => {
  const url = req.url ?? '/';
  if (req.method === 'GET' && url === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(BODY) }).end(BODY);
    return;
  }
  if (req.method === 'GET' && url === '/metrics') {
    const text = `# HELP gateway_open_connections Client TCP connections the server holds open now\n# TYPE gateway_open_connections gauge\ngateway_open_connections ${open}\n`;
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text);
    return;
  }
  res.writeHead(404).end();
});
server.on('connection', (socket) => {
  open++;
  socket.once('close', () => open--);
});
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

server.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 0), backlog: Number(process.env.LISTEN_BACKLOG ?? 16_384) }, () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
