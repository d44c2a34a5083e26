// Chromium drives rtbench's demo page (GET /): node page_test.mjs CASE --rtbench PATH --out DIR
// Cases (each its own ctest test):
//   in-order     every pane (all five) receives ids 1..N in order, nothing lost or repeated; screenshot DIR/page.png
//   resume       the server drops every connection mid-run (POST /debug/drop): EventSource reconnects by itself
//                with Last-Event-ID, long poll, WebSocket and HTTP streaming resume with since; every event arrives exactly once
//   close-1001   a server shutdown reaches the page's WebSocket as close code 1001
//   close-1008   a page whose main thread is blocked stops reading; the server drops its WebSocket with 1008
//   backlog      short polling carries less than is published: its pane shows the backlog, the tab keeps
//                rendering, and it catches up in order
//   refused      a channel name the server refuses: every pane shows the server's 400 reason
//   restart      the server is killed and started again on the same port: panes show "reconnecting", then
//                resume on the new server and count the restart
//   tls          the page over https (WebSocket over wss) from a Chromium that trusts a throwaway test CA
//                through its NSS database: every pane in order as in in-order; a Chromium without the CA
//                refuses the page with a certificate error
import {mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

import {check, launchChromium, makeNssHome, makeTestCerts, parseArgs, runTest, sleep, startServer, stats, waitFor}
  from './lib.mjs';

const args = parseArgs(process.argv.slice(2));
const testCase = args._[0];
const rtbench = args.rtbench;
const out = args.out || '.';
if (!rtbench || !testCase) {
  console.error('usage: node page_test.mjs in-order|resume|close-1001|close-1008|backlog|refused|restart|tls --rtbench PATH [--out DIR]');
  process.exit(2);
}
mkdirSync(out, {recursive: true});
const PANES = ['poll', 'longpoll', 'sse', 'ws', 'stream'];

const snapshot = (page) => page.evaluate(() => window.rtb.snapshot());

// Opens the page on `channel` with the page's publisher off, and waits until the streams are subscribed and the
// long poll is parked (the server counts it), so that the first event published is the first every pane counts.
// `chromiumOptions` go to launchChromium; `webSockets` lists the URL of every WebSocket the page opened.
async function openReadyPage(setup, server, channel, query = '', chromiumOptions = {}) {
  const chromium = await launchChromium(chromiumOptions);
  setup(() => chromium.close());
  const page = await chromium.context.newPage();
  const errors = [];
  const webSockets = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('websocket', (ws) => webSockets.push(ws.url()));
  await page.goto(`${server.url}/?channel=${channel}&rate=0&interval=200${query}`, {timeout: 15000});
  await waitFor('the page to be ready (EventSource, WebSocket and stream open)', () => page.evaluate(() => window.rtb.ready()), 15000);
  await waitFor('the long poll to be parked', async () => (await stats(server)).transports.longpoll.sessions_open >= 1, 10000);
  return {chromium, page, errors, webSockets};
}

// Waits until every pane has received every event the server published, then checks ids, order and counts.
async function expectExactlyOnce(page, server, published, {reconnectsAtLeast = {}} = {}) {
  await waitFor(`every pane to reach id ${published}`, async () => {
    const s = await snapshot(page);
    return PANES.every((k) => s.panes[k].lastId >= published) ? s : null;
  }, 30000);
  await sleep(500);  // anything late (a duplicate) has time to show
  const s = await snapshot(page);
  check(s.base === 0, `the page counts from id 1 (base ${s.base})`);
  for (const k of PANES) {
    const p = s.panes[k];
    const tag = `${k}: ${JSON.stringify(p)}`;
    check(p.received === published, `${tag}: received ${p.received} of ${published}`);
    check(p.firstId === 1 && p.lastId === published, `${tag}: ids 1..${published}`);
    check(p.lost === 0 && p.serverSaidLost === 0, `${tag}: nothing lost`);
    check(p.dup === 0 && p.late === 0, `${tag}: no duplicate, nothing out of order`);
    check(p.restarts === 0, `${tag}: no server restart seen`);
    check(p.latencyEvents === published && Number.isFinite(p.p50) && Number.isFinite(p.p99),
        `${tag}: a latency for every event`);
    check(p.requests >= 1 && p.bytes > 0, `${tag}: requests and bytes counted`);
    if (reconnectsAtLeast[k] !== undefined) {
      check(p.reconnects >= reconnectsAtLeast[k], `${tag}: at least ${reconnectsAtLeast[k]} reconnect(s)`);
    }
  }
  return s;
}

const cases = {
  async 'in-order'(setup) {
    const server = await startServer(rtbench);
    setup(() => server.stop());
    const {page, errors} = await openReadyPage(setup, server, 't-in-order');
    const N = 60;
    await page.evaluate((n) => window.rtb.publish({rate: 20, count: n, payload: 200}), N);
    await waitFor('the page publisher to finish', async () => (await snapshot(page)).publisher.acked === N, 20000);
    const published = (await stats(server)).events.published;
    check(published === N, `the server got ${N} events (got ${published})`);
    const s = await expectExactlyOnce(page, server, N, {reconnectsAtLeast: {}});
    for (const k of PANES) check(s.panes[k].reconnects === 0, `${k}: no reconnect in a quiet run`);
    check(errors.length === 0, `no page errors: ${errors.join('; ')}`);
    await page.screenshot({path: join(out, 'page.png')});
    await page.evaluate(() => document.getElementById('presenter').click());
    await page.setViewportSize({width: 1600, height: 900});
    await sleep(300);
    await page.screenshot({path: join(out, 'page-presenter.png')});
    console.log(`screenshots: ${join(out, 'page.png')} ${join(out, 'page-presenter.png')}`);
  },

  async resume(setup) {
    const server = await startServer(rtbench);
    setup(() => server.stop());
    const {page, errors} = await openReadyPage(setup, server, 't-resume');
    const N = 100;
    await page.evaluate((n) => window.rtb.publish({rate: 25, count: n}), N);
    await waitFor('30 events at the EventSource pane', async () => (await snapshot(page)).panes.sse.lastId >= 30, 20000);
    const r = await fetch(`${server.url}/debug/drop`, {method: 'POST', signal: AbortSignal.timeout(5000)});
    const dropped = await r.text();
    check(r.status === 200, `POST /debug/drop answered ${r.status} ${dropped}`);
    const before = await snapshot(page);
    await waitFor('the page publisher to finish', async () => {
      const p = (await snapshot(page)).publisher;
      return p.acked + p.errors === N;
    }, 30000);
    // A publish whose connection was cut may or may not have been taken, and Chromium resends a request
    // whose reused keep-alive connection closed before any answer, even a POST the server had already taken
    // (seen here: 101 events from 100 publishes). The server's count is the truth; the ids stay consecutive.
    const published = (await stats(server)).events.published;
    check(published >= N - 2 && published <= N + 2, `published ${published} for ${N} publishes`);
    // The EventSource URL carries no since: only the browser's Last-Event-ID header can resume it without a
    // loss or a repeat.
    // The long poll may not see the cut at all: Chromium retries a GET whose reused keep-alive connection
    // closed before any answer on a new connection by itself, with the same since.
    const s = await expectExactlyOnce(page, server, published, {reconnectsAtLeast: {sse: 1, ws: 1, stream: 1}});
    check(s.panes.sse.requests >= 2 && s.panes.ws.requests >= 2 && s.panes.stream.requests >= 2,
        'EventSource, WebSocket and stream connected again');
    console.log(`dropped mid-run (${dropped.trim()}) at sse id ${before.panes.sse.lastId}; reconnects: ` +
        PANES.map((k) => `${k} ${s.panes[k].reconnects}`).join(', '));
    check(errors.length === 0, `no page errors: ${errors.join('; ')}`);
    await page.screenshot({path: join(out, 'page-resume.png')});
  },

  async 'close-1001'(setup) {
    const server = await startServer(rtbench);
    setup(() => server.stop());
    const {page} = await openReadyPage(setup, server, 't-close');
    await server.stop();
    const s = await waitFor('a WebSocket close at the page', async () => {
      const snap = await snapshot(page);
      return snap.panes.ws.closes.length > 0 ? snap : null;
    }, 10000);
    const close = s.panes.ws.closes[0];
    check(close.code === 1001 && close.opened, `the page saw close ${JSON.stringify(close)}, expected 1001`);
    console.log(`close seen by the page: ${JSON.stringify(close)}`);
  },

  async 'close-1008'(setup) {
    // A small send queue and a short history keep the server's memory small.
    const server = await startServer(rtbench, ['--max-queued-bytes', '65536', '--history', '64', '--max-body-bytes', '65536']);
    setup(() => server.stop());
    const {page} = await openReadyPage(setup, server, 't-slow');
    const event = 'x'.repeat(32768);
    // The page's main thread is busy (at most 30 s, so a host busy with other tests still fills the queues in
    // time): the WebSocket's messages are not taken, Chromium's network
    // service stops reading the socket, the kernel buffers fill, then the server's queue. The busy loop asks
    // /stats by synchronous XHR (which runs no other task) and ends as soon as the server has dropped the
    // WebSocket, so that the page reads the close frame within the server's close timeout (2 s).
    const blocked = page.evaluate(() => {
      const end = performance.now() + 30000;
      let next = 0;
      while (performance.now() < end) {
        if (performance.now() < next) continue;
        next = performance.now() + 50;
        const xhr = new XMLHttpRequest();
        xhr.open('GET', '/stats', false);
        xhr.send();
        if (xhr.status === 200 && JSON.parse(xhr.responseText).transports.ws.dropped_slow > 0) return true;
      }
      return false;
    });
    await sleep(300);
    let sent = 0;
    const until = Date.now() + 25000;
    while (Date.now() < until && sent < 1500) {
      const r = await fetch(`${server.url}/publish?channel=t-slow`, {method: 'POST', body: event, signal: AbortSignal.timeout(5000)});
      await r.text();
      sent++;
      const st = await stats(server);
      if (st.transports.ws.dropped_slow > 0) break;
    }
    check(await blocked, 'the page saw the server drop its WebSocket while blocked');
    const st = await stats(server);
    check(st.transports.ws.dropped_slow >= 1, `the server dropped the slow WebSocket (${sent} events of 32 KiB sent; stats ${JSON.stringify(st.transports.ws)})`);
    const s = await waitFor('the close at the page', async () => {
      const snap = await snapshot(page);
      return snap.panes.ws.closes.length > 0 ? snap : null;
    }, 10000);
    const close = s.panes.ws.closes[0];
    check(close.code === 1008, `the page saw close ${JSON.stringify(close)}, expected 1008`);
    console.log(`after ${sent} events of 32 KiB: close seen by the page ${JSON.stringify(close)}`);
  },

  async backlog(setup) {
    // The server answers at most 5 events per poll: at 1 poll/s short polling carries 5 events/s, and the page
    // publishes 40/s. Its pane must show a growing backlog while the others keep up and the tab keeps
    // rendering; once publishing stops it catches up with every id in order.
    const server = await startServer(rtbench, ['--max-batch', '5']);
    setup(() => server.stop());
    const {page} = await openReadyPage(setup, server, 't-backlog');
    await page.evaluate(() => { window.rtb.settings.interval = 1000; });
    const N = 160;
    await page.evaluate((n) => window.rtb.publish({rate: 40, count: n}), N);
    const mid = await waitFor('a short-poll backlog of 50', async () => {
      const s = await snapshot(page);
      return s.panes.poll.behind >= 50 ? s : null;
    }, 20000);
    const rendersBefore = await page.evaluate(() => window.rtb.renders());
    await waitFor('the tab to keep rendering', async () => (await page.evaluate(() => window.rtb.renders())) > rendersBefore + 3, 10000);
    for (const k of ['longpoll', 'sse', 'ws', 'stream']) {
      check(mid.panes[k].lastId > mid.panes.poll.lastId, `${k} is ahead of short polling (${mid.panes[k].lastId} vs ${mid.panes.poll.lastId})`);
    }
    await waitFor('the page publisher to finish', async () => (await snapshot(page)).publisher.acked === N, 20000);
    // 160 events at 5 per poll: about 32 polls of 1 s.
    const s = await waitFor('short polling to catch up', async () => {
      const snap = await snapshot(page);
      return snap.panes.poll.lastId >= N ? snap : null;
    }, 60000, 500);
    for (const k of PANES) {
      const p = s.panes[k];
      check(p.received === N && p.lost === 0 && p.dup === 0 && p.late === 0, `${k}: all ${N} in order: ${JSON.stringify(p)}`);
    }
    console.log(`backlog of short polling at its peak: ${mid.panes.poll.behind} events (caught up after ${s.panes.poll.requests} polls)`);
  },

  async refused(setup) {
    const server = await startServer(rtbench);
    setup(() => server.stop());
    const chromium = await launchChromium();
    setup(() => chromium.close());
    const page = await chromium.context.newPage();
    await page.goto(`${server.url}/?channel=${encodeURIComponent('no spaces!')}&rate=5`, {timeout: 15000});
    const s = await waitFor('every pane to show the refusal', async () => {
      const snap = await snapshot(page);
      return PANES.every((k) => snap.panes[k].state === 'failed') ? snap : null;
    }, 15000);
    for (const k of PANES) {
      check(/^400 channel must be/.test(s.panes[k].error), `${k} shows the reason: ${JSON.stringify(s.panes[k].error)}`);
    }
    // The pane's state can change a frame before its text is drawn: wait for the text itself.
    const error = page.locator('#pane-sse .error', {hasText: /channel must be/});
    await error.waitFor({timeout: 5000}).catch(() => {});
    const text = await page.locator('#pane-sse .error').textContent();
    check(/channel must be/.test(text), `the reason is on the page: ${text}`);
    await page.screenshot({path: join(out, 'page-refused.png')});
  },

  async restart(setup) {
    let server = await startServer(rtbench);
    const port = server.port;
    setup(() => server.stop());
    const {page} = await openReadyPage(setup, server, 't-restart');
    await page.evaluate(() => window.rtb.publish({rate: 20}));
    await waitFor('20 events everywhere', async () => {
      const s = await snapshot(page);
      return PANES.every((k) => s.panes[k].lastId >= 20);
    }, 20000);
    await server.kill();
    await waitFor('the panes to show reconnecting', async () => {
      const s = await snapshot(page);
      return ['longpoll', 'sse', 'ws', 'stream'].every((k) => s.panes[k].state === 'reconnecting');
    }, 10000);
    await sleep(1000);
    server = await startServer(rtbench, [], port);
    const s = await waitFor('every pane live on the new server with new events', async () => {
      const snap = await snapshot(page);
      return PANES.every((k) => snap.panes[k].state === 'live' && snap.panes[k].restarts >= 1 &&
          snap.panes[k].lastId >= 10) ? snap : null;
    }, 30000);
    for (const k of PANES) {
      const p = s.panes[k];
      check(p.dup === 0, `${k}: no duplicate after the restart: ${JSON.stringify(p)}`);
      check(p.restarts === 1, `${k}: the restart counted once: ${JSON.stringify(p)}`);
    }
    console.log('after the restart: ' + PANES.map((k) => `${k} restarts ${s.panes[k].restarts} last id ` +
        `${s.panes[k].lastId} lost ${s.panes[k].lost}`).join('; '));
    await page.screenshot({path: join(out, 'page-restart.png')});
  },

  async tls(setup) {
    // Everything made here (keys, both HOMEs with their NSS databases, what Chromium writes into HOME) is in
    // one folder, removed last: cleanups run in reverse, after both Chromiums and the server have ended.
    const tmp = mkdtempSync(join(tmpdir(), 'rtb-browser-tls-'));
    setup(() => rmSync(tmp, {recursive: true, force: true}));
    const certs = makeTestCerts(join(tmp, 'certs'));
    const server = await startServer(rtbench, ['--tls-cert', certs.cert, '--tls-key', certs.key], 0,
        {ca: readFileSync(certs.ca)});
    setup(() => server.stop());
    check(server.url.startsWith('https://'), `the server listens on https (${server.url})`);

    // Certificate checks stay on (no --ignore-certificate-errors, no ignoreHTTPSErrors): the page loads only
    // because this HOME's NSS database trusts the CA.
    const trusting = makeNssHome(join(tmp, 'home-trusting'), certs.ca);
    const {chromium, page, errors, webSockets} = await openReadyPage(setup, server, 't-tls', '', {home: trusting});
    const protocol = await page.evaluate(() => location.protocol);
    check(protocol === 'https:', `the page was loaded over https (location.protocol ${protocol})`);
    const N = 60;
    await page.evaluate((n) => window.rtb.publish({rate: 20, count: n, payload: 200}), N);
    await waitFor('the page publisher to finish', async () => (await snapshot(page)).publisher.acked === N, 20000);
    const published = (await stats(server)).events.published;
    check(published === N, `the server got ${N} events (got ${published})`);
    const s = await expectExactlyOnce(page, server, N);
    for (const k of PANES) check(s.panes[k].reconnects === 0, `${k}: no reconnect in a quiet run`);
    check(webSockets.length >= 1 && webSockets.every((u) => u.startsWith('wss://')),
        `the WebSocket pane used wss:// (${webSockets.join(' ')})`);
    check(errors.length === 0, `no page errors: ${errors.join('; ')}`);
    const tls = (await stats(server)).tls;
    check(tls && tls.handshakes > 0, `the server counted TLS handshakes: ${JSON.stringify(tls)}`);
    check(tls.plain_http === 0, `no plain HTTP on the TLS port: ${JSON.stringify(tls)}`);
    await page.screenshot({path: join(out, 'page-tls.png')});
    await chromium.close();

    // The same server, a Chromium whose NSS database is empty: the test CA is not trusted, so the page must
    // not load. Without this the case above would pass even if certificates were not checked at all.
    const untrusting = await launchChromium({home: makeNssHome(join(tmp, 'home-untrusting'))});
    setup(() => untrusting.close());
    const refusedPage = await untrusting.context.newPage();
    const error = await refusedPage.goto(`${server.url}/?channel=t-tls`, {timeout: 15000}).then(() => null, (e) => e);
    check(error && /net::ERR_CERT_[A-Z_]+/.test(error.message),
        `a Chromium without the test CA refuses the page with a certificate error (got ${error ? error.message : 'the page'})`);
    const after = (await stats(server)).tls;
    console.log(`over https: every pane got ids 1..${N} in order; WebSocket ${webSockets[0]}; tls ${JSON.stringify(tls)}; ` +
        `without the CA: ${/net::ERR_CERT_[A-Z_]+/.exec(error.message)[0]} (handshake_failures ` +
        `${tls.handshake_failures} -> ${after.handshake_failures})`);
  },
};

if (!cases[testCase]) {
  console.error(`unknown case ${testCase}; one of ${Object.keys(cases).join(' ')}`);
  process.exit(2);
}
runTest(`browser ${testCase}`, Number(args.limit || 90000), cases[testCase]);
