// Shared by the browser tests: an rtbench server on a free port, Debian's Chromium through playwright-core,
// and waits that always end. Every process started here is ended by its PID.
import {spawn} from 'node:child_process';

export const CHROMIUM = process.env.RTB_CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function parseArgs(argv) {
  const args = {_: []};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('--')) {
      const key = argv[i].slice(2);
      if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) args[key] = argv[++i];
      else args[key] = true;
    } else {
      args._.push(argv[i]);
    }
  }
  return args;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Polls `probe` (async, returns a truthy value when done) every `every` ms; throws after `ms` with `what`.
export async function waitFor(what, probe, ms, every = 100) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
    await sleep(every);
  }
}

// `rtbench serve --port PORT` (0: a free one); resolves when it prints its URL.
export async function startServer(rtbench, extraArgs = [], port = 0) {
  const child = spawn(rtbench, ['serve', '--port', String(port), '--enable-test-hooks', ...extraArgs],
      {stdio: ['ignore', 'pipe', 'pipe']});
  let output = '';
  child.stderr.on('data', (d) => { output += d; if (output.length > 65536) output = output.slice(-32768); });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`rtbench serve did not start: ${output}`)), 10000);
    let line = '';
    child.stdout.on('data', (d) => {
      line += d;
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`rtbench serve exited ${code}: ${output}`)); });
  });
  child.removeAllListeners('exit');
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({code, signal})));
  return {
    child, url, port: Number(new URL(url).port), exited,
    // SIGTERM (graceful), then SIGKILL after `graceMs`; by PID.
    async stop(graceMs = 3000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      try { process.kill(child.pid, 'SIGTERM'); } catch (e) { /* gone */ }
      const t = setTimeout(() => { try { process.kill(child.pid, 'SIGKILL'); } catch (e) { /* gone */ } }, graceMs);
      const r = await exited;
      clearTimeout(t);
      return r;
    },
    kill() { try { process.kill(child.pid, 'SIGKILL'); } catch (e) { /* gone */ } return exited; },
  };
}

export async function stats(server) {
  const r = await fetch(`${server.url}/stats`, {signal: AbortSignal.timeout(5000)});
  return r.json();
}

// Chromium as a Playwright browser server (Playwright gives it a fresh temporary --user-data-dir and removes it
// on close), connected over its WebSocket endpoint; its PID is known, so it is always ended by PID.
export async function launchChromium() {
  const {chromium} = await import('playwright-core');
  const server = await chromium.launchServer({executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS,
    timeout: 30000});
  const pid = server.process().pid;
  const browser = await chromium.connect(server.wsEndpoint(), {timeout: 30000});
  const context = await browser.newContext({viewport: {width: 1600, height: 900}});
  return {
    browser, context, pid, version: browser.version(),
    async close() {
      await Promise.race([browser.close().catch(() => {}), sleep(3000)]);
      await Promise.race([server.close().catch(() => {}), sleep(5000)]);
      try { process.kill(pid, 0); process.kill(pid, 'SIGKILL'); } catch (e) { /* already gone */ }
    },
  };
}

// Runs `body` with a hard deadline: on timeout or failure everything started is ended and the process exits 1.
export async function runTest(name, limitMs, body) {
  const cleanups = [];
  const cleanupAll = async () => {
    for (const f of cleanups.reverse()) { try { await f(); } catch (e) { /* keep going */ } }
  };
  const deadline = setTimeout(async () => {
    console.error(`${name}: FAILED: the test did not end within ${limitMs} ms`);
    await cleanupAll();
    process.exit(1);
  }, limitMs);
  try {
    await body((f) => cleanups.push(f));
    clearTimeout(deadline);
    await cleanupAll();
    console.log(`${name}: passed`);
    process.exit(0);
  } catch (e) {
    clearTimeout(deadline);
    console.error(`${name}: FAILED: ${e.stack || e}`);
    await cleanupAll();
    process.exit(1);
  }
}

export function check(cond, message) {
  if (!cond) throw new Error(`check failed: ${message}`);
}
