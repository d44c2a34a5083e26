// Shared by the browser tests: an rtbench server on a free port, Debian's Chromium through playwright-core,
// and waits that always end. Every process started here is ended by its PID.
import {execFileSync, spawn} from 'node:child_process';
import {mkdirSync} from 'node:fs';
import {request as httpsRequest} from 'node:https';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';

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

// `rtbench serve --port PORT` (0: a free one); resolves when it prints its URL: http://, or https:// when
// extraArgs put TLS on the main port (with --tls-port the first line, the http one, is taken). `ca`: the PEM
// text of the CA that signed the server's certificate, with which stats() checks it.
export async function startServer(rtbench, extraArgs = [], port = 0, {ca} = {}) {
  const child = spawn(rtbench, ['serve', '--port', String(port), '--enable-test-hooks', ...extraArgs],
      {stdio: ['ignore', 'pipe', 'pipe']});
  let output = '';
  child.stderr.on('data', (d) => { output += d; if (output.length > 65536) output = output.slice(-32768); });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`rtbench serve did not start: ${output}`)), 10000);
    let line = '';
    child.stdout.on('data', (d) => {
      line += d;
      const m = /listening on (https?:\/\/\S+)/.exec(line);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`rtbench serve exited ${code}: ${output}`)); });
  });
  child.removeAllListeners('exit');
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({code, signal})));
  return {
    child, url, port: Number(new URL(url).port), exited, ca,
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
  if (server.url.startsWith('https:')) return httpsGetJson(`${server.url}/stats`, server.ca);
  const r = await fetch(`${server.url}/stats`, {signal: AbortSignal.timeout(5000)});
  return r.json();
}

// Node's fetch takes no CA of its own; node:https does, and checks the certificate against it (and only it).
// agent false: a connection per request, none left open to hold up a graceful server stop.
function httpsGetJson(url, ca) {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, {ca, agent: false, timeout: 5000}, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('error', reject);
      res.on('end', () => {
        try { resolve(JSON.parse(body)); } catch (e) { reject(new Error(`${url}: ${res.statusCode} ${body}`)); }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}

// scripts/make-test-certs.sh into `dir`: a throwaway CA (ca.pem) and the server certificate it signed
// (server.pem, server.key; SAN localhost, 127.0.0.1, ::1).
export function makeTestCerts(dir) {
  const script = fileURLToPath(new URL('../../scripts/make-test-certs.sh', import.meta.url));
  execFileSync('bash', [script, dir, '2'], {stdio: ['ignore', 'ignore', 'pipe'], timeout: 30000});
  return {ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server.key')};
}

// A HOME for Chromium: on Linux it takes certificate trust beyond its built-in roots from the NSS database
// $HOME/.pki/nssdb (its profile directory plays no part), so an empty database trusts no test CA and one
// with `caFile` added as a trusted TLS issuer ("C,,") makes Chromium verify the test server's certificate
// for real. Needs certutil (Debian package libnss3-tools).
export function makeNssHome(home, caFile = null) {
  const db = join(home, '.pki', 'nssdb');
  mkdirSync(db, {recursive: true, mode: 0o700});
  const certutil = (...a) => {
    try {
      execFileSync('certutil', ['-d', `sql:${db}`, ...a], {stdio: ['ignore', 'ignore', 'pipe'], timeout: 30000});
    } catch (e) {
      if (e.code === 'ENOENT') throw new Error('certutil is missing: apt-get install libnss3-tools');
      throw e;
    }
  };
  certutil('-N', '--empty-password');
  if (caFile) certutil('-A', '-t', 'C,,', '-n', 'rtbench-test-ca', '-i', caFile);
  return home;
}

// Chromium as a Playwright browser server (Playwright gives it a fresh temporary --user-data-dir and removes it
// on close), connected over its WebSocket endpoint; its PID is known, so it is always ended by PID.
// `home`: the HOME Chromium runs with (its NSS database, see makeNssHome); default the test's own.
export async function launchChromium({home} = {}) {
  const {chromium} = await import('playwright-core');
  const server = await chromium.launchServer({executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS,
    timeout: 30000, ...(home ? {env: {...process.env, HOME: home}} : {})});
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
