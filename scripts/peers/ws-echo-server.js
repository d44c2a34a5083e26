// WebSocket echo peer for scripts/bench-ws-peer.sh: node + npm `ws` (installed at bench time into a temporary
// folder, never a project dependency), echoing text and binary messages like rtbench's /echo.
// Usage: node ws-echo-server.js PORT
'use strict';
const { WebSocketServer } = require('ws');

const port = Number(process.argv[2] || 18093);
// ws's own defaults otherwise (no compression): the same work per message /echo does.
const server = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false, clientTracking: false });
server.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
});
server.on('listening', () => console.log(`ws ${require('ws/package.json').version} echo on 127.0.0.1:${port}`));
