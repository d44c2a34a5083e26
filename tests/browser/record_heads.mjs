// Records the request heads Chromium really sends for each transport, byte for byte as a server reads them:
// a fetch() poll, an EventSource (first request, and the reconnect that carries Last-Event-ID) and a WebSocket
// upgrade, all same-origin from a page, as the demo page makes them.
//   node record_heads.mjs --out DIR            writes DIR/chromium-heads.txt and checks what every browser must send
//   node record_heads.mjs --out DIR --update   also rewrites the committed recording (results/browser/chromium-heads.txt)
//                                              and harness/scenario/chromium_heads.cpp, the `--headers chromium` profile
import {createHash} from 'node:crypto';
import {execFileSync} from 'node:child_process';
import {mkdirSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import {CHROMIUM, CHROMIUM_FLAGS, check, launchChromium, parseArgs, runTest, waitFor} from './lib.mjs';

const args = parseArgs(process.argv.slice(2));
const out = args.out || '.';
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
mkdirSync(out, {recursive: true});

const PAGE = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>heads</title><script>
(async () => {
  await fetch('/poll?channel=demo&since=0', {cache: 'no-store'});
  await new Promise((done) => {
    const es = new EventSource('/sse?channel=demo');
    // The server sends one event and ends the stream; the browser reconnects (Last-Event-ID) and gets a 204.
    es.onerror = () => { if (es.readyState === EventSource.CLOSED) done(); };
    setTimeout(() => { es.close(); done(); }, 2500);
  });
  const ws = new WebSocket('ws://' + location.host + '/ws?channel=demo');
  ws.onopen = () => { ws.close(1000); document.title = 'done'; };
  ws.onerror = () => { document.title = 'done'; };
})();
</script>`;

// One recorded head per kind, in arrival order; bounded.
const heads = [];
function record(kind, head) { if (heads.length < 32) heads.push({kind, head}); }

function serve(socket) {
  let buf = Buffer.alloc(0);
  let sseCount = 0;
  socket.on('error', () => {});
  socket.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    if (buf.length > 65536) { socket.destroy(); return; }
    for (;;) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.subarray(0, end + 4).toString('latin1');
      buf = buf.subarray(end + 4);
      const target = head.split(' ')[1] || '';
      const path = target.split('?')[0];
      if (path === '/') {
        record('navigation', head);
        socket.write(`HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(PAGE)}\r\nCache-Control: no-store\r\n\r\n${PAGE}`);
      } else if (path === '/poll') {
        record('fetch-poll', head);
        socket.write('HTTP/1.1 204 No Content\r\n\r\n');
      } else if (path === '/sse') {
        sseCount = heads.filter((h) => h.kind.startsWith('eventsource')).length;
        if (sseCount === 0) {
          record('eventsource', head);
          // One event, then the stream ends: the browser reconnects by itself with Last-Event-ID.
          socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\r\nretry: 200\n\nid: 7\ndata: x\n\n');
        } else {
          record('eventsource-reconnect', head);
          socket.end('HTTP/1.1 204 No Content\r\n\r\n');  // a 204 tells the EventSource to stop
        }
      } else if (path === '/ws') {
        record('websocket-upgrade', head);
        const key = /\r\nSec-WebSocket-Key: *([^\r]+)/i.exec(head);
        const accept = createHash('sha1').update(`${key ? key[1].trim() : ''}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
        setTimeout(() => socket.destroy(), 500);
        return;
      } else {
        record('other', head);
        socket.write('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      }
    }
  });
}

function chromiumPackageVersion() {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', 'chromium'], {encoding: 'utf8'}).trim();
  } catch (e) {
    return 'unknown';
  }
}

// The --headers chromium profile: the fetch poll's header lines after Host, Connection kept apart (a request
// that says Connection: close drops it, as the browser profile does).
function profileCpp(version, fetchHead) {
  const lines = fetchHead.split('\r\n').slice(1).filter((l) => l !== '');
  const before = [], after = [];
  let seenConnection = false, connection = '';
  for (const l of lines) {
    const name = l.split(':')[0].toLowerCase();
    if (name === 'host') continue;
    if (name === 'connection') { seenConnection = true; connection = l; continue; }
    (seenConnection ? after : before).push(l);
  }
  const lit = (ls) => ls.map((l) => `    "${l.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}\\r\\n"`).join('\n') || '    ""';
  return `// Generated by tests/browser/record_heads.mjs --update: do not edit. What Chromium ${version} sent for a
// same-origin fetch() poll of the demo page (results/browser/chromium-heads.txt has every transport's head).
#include "harness/scenario/chromium_heads.hpp"

namespace rtb {

const std::string_view kChromiumVersion = "${version}";
const std::string_view kChromiumPollBeforeConnection =
${lit(before)};
const std::string_view kChromiumPollConnection = "${connection}\\r\\n";
const std::string_view kChromiumPollAfterConnection =
${lit(after)};

}  // namespace rtb
`;
}

runTest('browser record-heads', Number(args.limit || 60000), async (setup) => {
  const server = net.createServer(serve);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  setup(() => new Promise((resolve) => server.close(resolve)));
  const port = server.address().port;
  const chromium = await launchChromium();
  setup(() => chromium.close());
  const page = await chromium.context.newPage();
  await page.goto(`http://127.0.0.1:${port}/`, {timeout: 15000});
  await waitFor('the recording page to finish', async () => (await page.title()) === 'done', 20000);
  await waitFor('every head', () => ['fetch-poll', 'eventsource', 'eventsource-reconnect', 'websocket-upgrade']
      .every((k) => heads.some((h) => h.kind === k)), 5000);
  const get = (k) => heads.find((h) => h.kind === k).head;
  const has = (k, re) => check(re.test(get(k)), `${k} has ${re}: ${JSON.stringify(get(k))}`);
  // What the transports rely on, checked on every run (the exact bytes change with Chromium versions).
  has('fetch-poll', /^GET \/poll\?channel=demo&since=0 HTTP\/1\.1\r\n/);
  has('eventsource', /\r\nAccept: text\/event-stream\r\n/i);
  has('eventsource-reconnect', /\r\nLast-Event-ID: 7\r\n/i);
  check(!/\r\nLast-Event-ID:/i.test(get('eventsource')), 'the first EventSource request has no Last-Event-ID');
  has('websocket-upgrade', /\r\nUpgrade: websocket\r\n/i);
  has('websocket-upgrade', /\r\nSec-WebSocket-Version: 13\r\n/i);
  has('websocket-upgrade', /\r\nOrigin: http:\/\/127\.0\.0\.1:\d+\r\n/i);

  const version = chromium.version;
  const pkg = chromiumPackageVersion();
  let text = `# Request heads Chromium ${version} (Debian package chromium ${pkg}) sent to a same-origin server on\n` +
      `# 127.0.0.1, as the server read them (CRLF line ends shown as line breaks). Recorded by\n` +
      `# tests/browser/record_heads.mjs on ${new Date().toISOString().slice(0, 10)} with ${CHROMIUM} ${CHROMIUM_FLAGS.join(' ')}.\n` +
      `# The Host port is the recording server's. Head sizes in bytes include the request line and the blank line.\n`;
  for (const {kind, head} of heads) {
    text += `\n## ${kind} (${Buffer.byteLength(head, 'latin1')} bytes)\n${head.replace(/\r\n/g, '\n')}`;
  }
  writeFileSync(join(out, 'chromium-heads.txt'), text);
  console.log(`recorded ${heads.length} heads from Chromium ${version}: ${join(out, 'chromium-heads.txt')}`);
  for (const {kind, head} of heads) console.log(`  ${kind}: ${Buffer.byteLength(head, 'latin1')} bytes`);
  if (args.update) {
    mkdirSync(join(repo, 'results', 'browser'), {recursive: true});
    writeFileSync(join(repo, 'results', 'browser', 'chromium-heads.txt'), text);
    writeFileSync(join(repo, 'harness', 'scenario', 'chromium_heads.cpp'), profileCpp(version, get('fetch-poll')));
    console.log('updated results/browser/chromium-heads.txt and harness/scenario/chromium_heads.cpp');
  }
});
