// Browser latency vs generator latency at one rate (scripts/bench-browser.sh is the entry point):
//   node bench_browser.mjs --rtbench PATH --rate R --seconds S --payload B --interval MS --out DIR
// 1. Chromium opens the demo page on a fresh server; the page publishes R/s for S s and its five panes measure
//    publish->receive latency (stamp t = the page's clock when it calls fetch POST /publish; receive = the
//    page's event handler). p50/p99 over every event (the page keeps the last 1000; R*S is capped to that).
// 2. `rtbench load --transport T -c 1` at the same rate, payload and poll interval, one fresh server per
//    transport: latency from the publisher's intended send time to the subscriber's receive.
// Writes DIR/report.md and DIR/browser_vs_generator.csv.
import {execFileSync, spawnSync} from 'node:child_process';
import {mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {cpus, hostname, loadavg, release, tmpdir} from 'node:os';
import {join} from 'node:path';

import {CHROMIUM_FLAGS, launchChromium, parseArgs, runTest, sleep, startServer, stats, waitFor} from './lib.mjs';

const args = parseArgs(process.argv.slice(2));
const rtbench = args.rtbench;
const rate = Number(args.rate || 10);
const seconds = Number(args.seconds || 30);
const payload = Number(args.payload || 64);
const interval = Number(args.interval || 1000);
const out = args.out || 'results/browser';
const TRANSPORTS = ['poll', 'longpoll', 'sse', 'ws', 'stream'];
if (!rtbench || !(rate > 0) || !(seconds > 0) || rate * seconds > 1000) {
  console.error('usage: node bench_browser.mjs --rtbench PATH --rate R --seconds S [--payload B] [--interval MS] ' +
      '[--out DIR]   (R * S <= 1000: the page keeps the last 1000 latencies)');
  process.exit(2);
}
mkdirSync(out, {recursive: true});

async function browserRun(chromium) {
  const server = await startServer(rtbench);
  try {
    const page = await chromium.context.newPage();
    await page.goto(`${server.url}/?channel=bench&rate=0&payload=${payload}&interval=${interval}`, {timeout: 15000});
    await waitFor('the page to be ready', () => page.evaluate(() => window.rtb.ready()), 15000);
    await waitFor('the long poll to be parked', async () => (await stats(server)).transports.longpoll.sessions_open >= 1, 10000);
    const count = Math.round(rate * seconds);
    await page.evaluate(({r, n, p}) => window.rtb.publish({rate: r, count: n, payload: p}), {r: rate, n: count, p: payload});
    await waitFor('the publisher to finish', async () => {
      const s = await page.evaluate(() => window.rtb.snapshot());
      return s.publisher.acked + s.publisher.errors >= count;
    }, seconds * 1000 + 30000, 500);
    const published = (await stats(server)).events.published;
    const s = await waitFor('every pane to receive every event', async () => {
      const snap = await page.evaluate(() => window.rtb.snapshot());
      return TRANSPORTS.every((k) => snap.panes[k].lastId >= published) ? snap : null;
    }, interval + 15000, 200);
    await page.screenshot({path: join(out, 'bench-page.png')});
    await page.close();
    return {published, panes: s.panes, publisher: s.publisher};
  } finally {
    await server.stop();
  }
}

async function generatorRun(transport) {
  const server = await startServer(rtbench);
  const json = join(tmpdir(), `rtb-bench-browser-${process.pid}-${transport}.json`);
  const cmd = ['load', '--url', server.url, '--transport', transport, '-c', '1', '-r', String(rate),
    '--payload-bytes', String(Math.max(payload, 42)), '--poll-interval-ms', String(interval),
    '--warmup-s', '1', '-d', String(seconds), '--json', json, '-q'];
  try {
    const r = spawnSync(rtbench, cmd, {encoding: 'utf8', timeout: (seconds + 60) * 1000});
    if (r.status !== 0) throw new Error(`rtbench load ${transport} exited ${r.status}: ${r.stderr}`);
    const result = JSON.parse(readFileSync(json, 'utf8')).result;
    return {p50_ms: result.p50_us / 1000, p99_ms: result.p99_us / 1000, lost: result.lost,
      command: `rtbench ${cmd.join(' ').replace(server.url, 'http://127.0.0.1:PORT').replace(json, 'FILE')}`};
  } finally {
    rmSync(json, {force: true});
    await server.stop();
  }
}

function machine() {
  const cpu = cpus();
  let pkg = 'unknown';
  try { pkg = execFileSync('dpkg-query', ['-W', '-f=${Version}', 'chromium'], {encoding: 'utf8'}); } catch (e) { /* */ }
  let commit = 'unknown';
  try { commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {encoding: 'utf8'}).trim(); } catch (e) { /* */ }
  return {host: hostname(), cpu: cpu[0]?.model, cores: cpu.length, kernel: release(), load: loadavg().map((x) => x.toFixed(2)).join(' '),
    chromiumPackage: pkg, node: process.version, commit};
}

runTest('bench-browser', (seconds * 6 + 300) * 1000, async (setup) => {
  const before = machine();
  const chromium = await launchChromium();
  setup(() => chromium.close());
  console.log(`browser: Chromium ${chromium.version}, ${rate}/s for ${seconds} s ...`);
  const browser = await browserRun(chromium);
  const gen = {};
  for (const t of TRANSPORTS) {
    console.log(`generator: rtbench load --transport ${t} -c 1 ...`);
    gen[t] = await generatorRun(t);
  }
  const after = machine();
  const f = (v) => (Number.isFinite(v) ? v.toFixed(2) : '-');
  let csv = 'transport,rate_per_s,seconds,payload_bytes,poll_interval_ms,browser_events,browser_p50_ms,browser_p99_ms,' +
      'browser_lost,browser_dup,generator_p50_ms,generator_p99_ms,generator_lost\n';
  let table = '| transport | Chromium page p50 | p99 | events (lost, dup) | rtbench load p50 | p99 | lost |\n|---|---:|---:|---:|---:|---:|---:|\n';
  for (const t of TRANSPORTS) {
    const p = browser.panes[t], g = gen[t];
    csv += `${t},${rate},${seconds},${payload},${interval},${p.received},${f(p.p50)},${f(p.p99)},${p.lost + p.serverSaidLost},` +
        `${p.dup},${f(g.p50_ms)},${f(g.p99_ms)},${g.lost}\n`;
    table += `| ${t} | ${f(p.p50)} ms | ${f(p.p99)} ms | ${p.received} (${p.lost + p.serverSaidLost}, ${p.dup}) | ` +
        `${f(g.p50_ms)} ms | ${f(g.p99_ms)} ms | ${g.lost} |\n`;
  }
  writeFileSync(join(out, 'browser_vs_generator.csv'), csv);
  const report = `# Browser latency vs generator latency

${table}
Same rate (${rate} events/s), payload (${payload} B) and short-poll interval (${interval} ms) on both sides;
one subscriber per transport.

- **Chromium page**: the demo page (\`GET /\`) in Chromium ${chromium.version} (headless, ${CHROMIUM_FLAGS.join(' ')}),
  all five panes open at once on one fresh server; the page itself publishes ${Math.round(rate * seconds)} events
  (fetch POST /publish) and every pane measures receive time minus the stamp \`t\`, both from the page's clock
  (\`performance.timeOrigin + performance.now()\`). \`t\` is taken when the page calls \`fetch\`, so the browser's
  own request path (renderer -> network service -> socket) is inside the figure, and so are the page's
  JavaScript event dispatch and, for polling, the browser's HTTP stack.
- **rtbench load**: one run per transport on a fresh server, \`-c 1\`, 1 s warm-up then ${seconds} s measured;
  latency from the publisher's intended send time to the subscriber's parse of the event (HdrHistogram).
  Commands: ${TRANSPORTS.map((t) => `\`${gen[t].command}\``).join('; ')}.

Short polling's latency is dominated by the poll interval on both sides (half of it on average).

Command: \`scripts/bench-browser.sh --rate ${rate} --seconds ${seconds} --payload ${payload} --interval ${interval}\`
Machine: ${before.host}, ${before.cpu}, ${before.cores} cores, Linux ${before.kernel}, node ${before.node},
Debian chromium ${before.chromiumPackage}, rtbench at ${before.commit}. Load average before ${before.load}, after ${after.load}
(server, generator and Chromium unpinned on the same machine${Number(before.load.split(' ')[0]) > 1 ? '; **the host was shared with other work during this run**' : ''}).
Date: ${new Date().toISOString()}.
`;
  writeFileSync(join(out, 'report.md'), report);
  console.log(report);
});
