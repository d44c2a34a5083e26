// Broadcast peer for scripts/bench-broadcast-peer.sh: node's http module and npm `ws` (installed at bench time
// into a temporary folder, never a project dependency) speaking what rtbench's load generator expects of a
// server: POST /publish answers the event's id; a WebSocket subscriber (any path) gets `<id> <body>` text
// messages; GET /sse... gets `id: <id>\ndata: <body>\n\n` records. One channel, no history: the broadcast
// loop of ws's own README, the code a node user writes.
// Usage: node broadcast-server.js PORT
'use strict';
const http = require('http');
const { WebSocketServer, WebSocket } = require('ws');

const port = Number(process.argv[2] || 18096);
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
const sse = new Set();
let lastId = 0;

function publish(body) {
  const id = ++lastId;
  const text = `${id} ${body}`;
  wss.clients.forEach((client) => {
    if (client.readyState === WebSocket.OPEN) client.send(text);
  });
  const record = `id: ${id}\ndata: ${body}\n\n`;
  for (const res of sse) res.write(record);
  return id;
}

const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url.startsWith('/publish')) {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const answer = `${publish(Buffer.concat(chunks).toString())}\n`;
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(answer) });
      res.end(answer);
    });
  } else if (req.method === 'GET' && req.url.startsWith('/sse')) {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    res.flushHeaders();
    sse.add(res);
    res.on('close', () => sse.delete(res));
  } else {
    res.writeHead(404, { 'Content-Length': 0 });
    res.end();
  }
});
server.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
});
// Keep-alive and request timeouts off: the subscribers and the publisher stay for the whole run.
server.keepAliveTimeout = 0;
server.requestTimeout = 0;
server.listen(port, '127.0.0.1', () =>
  console.log(`node ${process.version}, ws ${require('ws/package.json').version} broadcast on 127.0.0.1:${port}`));
