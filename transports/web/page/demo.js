// rtbench demo page: the same channel received five ways, each by the browser's own API.
// Plain JS, no build step, nothing fetched from elsewhere. Every array is bounded and the DOM is written from a
// requestAnimationFrame loop, so a publish rate the short poll cannot carry shows as backlog, not a frozen tab.
// A pane is a class with start()/stop() that calls this.event(id, text) and this.gap(first, last); adding one
// is a class and one line in PANE_TYPES.
'use strict';

(() => {
  const FROM_NOW = '9007199254740991';  // a since beyond the newest id: the server treats it as "from now"
  const LATENCY_WINDOW = 1000;            // p50/p99 over the last N events
  const MAX_EARLY = 10000;                // events held until the start id is known
  const MAX_MISSING = 10000;              // ids remembered as lost, to tell late ones from duplicates
  const RATE_HISTORY = 60;                // seconds of events/s in each pane's chart
  const LONGPOLL_TIMEOUT_MS = 25000;
  const MAX_STREAM_BUFFER = 4 << 20;     // characters of /stream text held while a record is incomplete
  // Panes on one long-lived connection: subscribed first ("from now"), before the long poll fixes the start id.
  const SUBSCRIBE_FIRST = ['sse', 'ws', 'stream'];
  const clock = () => performance.timeOrigin + performance.now();

  // ---- settings: the URL query first, then the controls ----
  const query = new URLSearchParams(location.search);
  function intParam(name, fallback, min, max) {
    const v = Number(query.get(name));
    return query.has(name) && Number.isFinite(v) ? Math.min(max, Math.max(min, Math.round(v))) : fallback;
  }
  const settings = {
    channel: query.get('channel') || 'demo',
    rate: intParam('rate', 10, 0, 10000),        // events/s this page publishes (0: only others publish)
    payload: intParam('payload', 64, 0, 1 << 20),  // bytes of event text
    interval: intParam('interval', 1000, 10, 60000),
    count: intParam('count', 0, 0, 1e9),           // stop publishing after this many (0: never)
    paused: query.get('paused') === '1',
    presenter: query.get('presenter') === '1',
  };

  // ---- shared state of one run on one channel ----
  // base: ids <= base were published before the page started and are not counted. Found by the long-poll
  // pane's first answer to since=FROM_NOW, issued after EventSource and WebSocket are subscribed.
  const session = {channel: settings.channel, base: null, generation: 0, newestSeen: 0, lastStatsPublished: -1};
  const panes = [];

  function parseStamp(text) {
    // {"seq":N,"t":<epoch ms>,...}: this page's publisher and `rtbench demo` write it first in the text.
    if (text.charCodeAt(0) !== 123 /* { */) return null;
    const m = /^\{"seq":(\d+),"t":([0-9.]+)/.exec(text.length > 64 ? text.slice(0, 64) : text);
    return m ? {seq: Number(m[1]), t: Number(m[2])} : null;
  }

  class Ring {
    constructor(n) { this.a = new Float64Array(n); this.n = 0; this.i = 0; }
    push(v) { this.a[this.i] = v; this.i = (this.i + 1) % this.a.length; if (this.n < this.a.length) this.n++; }
    percentiles() {
      if (this.n === 0) return [NaN, NaN];
      const s = this.a.slice(0, this.n).sort();
      const at = (q) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
      return [at(0.5), at(0.99)];
    }
  }

  // Records of the SSE-format body of /poll, /longpoll and /stream. hasData is false for an id-only record
  // (/stream's first record, which names the live edge and is not an event).
  function parseBatch(body) {
    const out = [];
    let id = null, event = '', data = null;
    for (const line of body.split(/\r\n|\r|\n/)) {
      if (line === '') {
        if (data !== null || id !== null) out.push({id, event, data: data === null ? '' : data, hasData: data !== null});
        id = null; event = ''; data = null;
        continue;
      }
      if (line[0] === ':') continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value[0] === ' ') value = value.slice(1);
      if (field === 'id') id = value;
      else if (field === 'event') event = value;
      else if (field === 'data') data = data === null ? value : data + '\n' + value;
    }
    return out;
  }
  function parseGap(text) {
    const m = /^(\d+)-(\d+)$/.exec(text.trim());
    return m ? [Number(m[1]), Number(m[2])] : null;
  }

  // Asks /poll why a channel is refused (the same check as every route): the text of a 400, or ''.
  async function refusalReason(channel) {
    try {
      const r = await fetch(`/poll?channel=${encodeURIComponent(channel)}&since=${FROM_NOW}`, {cache: 'no-store'});
      return r.status === 400 ? (await r.text()).trim() : '';
    } catch (e) {
      return '';
    }
  }

  // ---- a pane: counters from ids, common to every transport ----
  class Pane {
    constructor(key, title, path, bytesHow) {
      this.key = key; this.title = title; this.path = path; this.bytesHow = bytesHow;
      this.generation = -1;
      this.clear();
    }
    clear() {
      this.c = {received: 0, lastId: 0, lost: 0, serverSaidLost: 0, dup: 0, late: 0, requests: 0, bytes: 0,
        reconnects: 0, restarts: 0, earlyDropped: 0, beforeStart: 0, latencyEvents: 0};
      this.firstId = 0;
      this.latency = new Ring(LATENCY_WINDOW);
      this.missing = new Set();
      this.early = [];
      this.closes = [];  // WebSocket close codes, last 20
      this.state = 'connecting'; this.detail = ''; this.error = '';
      this.resuming = false;   // set on reconnect: the next id tells whether the server kept our history
      this.rates = new Uint32Array(RATE_HISTORY); this.rateSecond = Math.floor(clock() / 1000);
    }
    setState(state, detail = '') { this.state = state; this.detail = detail; if (state === 'live') this.error = ''; }
    // An event arrived: account it now, or hold it until the start id is known.
    event(id, text) {
      const t = clock();
      if (session.base === null) {
        if (this.early.length < MAX_EARLY) this.early.push([id, text, t]); else this.c.earlyDropped++;
        return true;
      }
      return this.account(id, text, t);
    }
    flushEarly() {
      const early = this.early; this.early = [];
      for (const [id, text, t] of early) this.account(id, text, t);
    }
    // Returns false when the event shows that the server restarted (its ids begin again).
    account(id, text, t) {
      const c = this.c;
      if (this.resuming && id <= c.lastId && id !== 0) {
        this.resuming = false;
        serverRestarted(this);
        if (this.replaysAfterRestart) return false;
      }
      this.resuming = false;
      if (id <= session.base) { c.beforeStart++; return true; }
      if (id === c.lastId + 1) {
        // in order
      } else if (id > c.lastId + 1) {
        c.lost += id - c.lastId - 1;
        for (let k = c.lastId + 1; k < id && this.missing.size < MAX_MISSING; k++) this.missing.add(k);
      } else {
        if (this.missing.delete(id)) { c.late++; c.lost--; } else c.dup++;
        return true;
      }
      if (this.firstId === 0) this.firstId = id;
      c.lastId = id;
      c.received++;
      if (id > session.newestSeen) session.newestSeen = id;
      this.countRate(t);
      const stamp = parseStamp(text);
      if (stamp) { this.latency.push(t - stamp.t); c.latencyEvents++; }
      return true;
    }
    // The server says ids first..last are gone from its history.
    gap(first, last) {
      const c = this.c;
      const lo = Math.max(first, c.lastId + 1, (session.base ?? 0) + 1);
      if (last >= lo) { c.serverSaidLost += last - lo + 1; c.lastId = last; }
      this.resuming = false;
    }
    countRate(t) {
      const second = Math.floor(t / 1000);
      while (this.rateSecond < second) { this.rateSecond++; this.rates[this.rateSecond % RATE_HISTORY] = 0; }
      this.rates[second % RATE_HISTORY]++;
    }
    // The id to resume from.
    cursor() { return Math.max(this.c.lastId, session.base ?? 0); }
    snapshot() {
      const [p50, p99] = this.latency.percentiles();
      return Object.assign({}, this.c, {key: this.key, firstId: this.firstId, state: this.state,
        detail: this.detail, error: this.error, p50, p99, closes: this.closes.slice(),
        behind: Math.max(0, Math.max(session.newestSeen, publisher.lastId) - this.c.lastId)});
    }
  }

  // ---- short polling: fetch on an interval ----
  class ShortPollPane extends Pane {
    constructor() { super('poll', 'Short polling', '/poll', 'Resource Timing'); this.replaysAfterRestart = true; }
    start(gen) {
      this.gen = gen; this.failing = false;
      this.setState('waiting', 'waiting for the first event');
      this.next = clock();
      this.schedule(0);
    }
    stop() { this.gen = -1; clearTimeout(this.timer); }
    schedule(ms) { clearTimeout(this.timer); this.timer = setTimeout(() => this.tick(), ms); }
    async tick() {
      const gen = this.gen;
      if (gen !== session.generation) return;
      this.next += settings.interval;
      // Until the start id is known the poll asks from now (a 204, or the server's 400 for a refused channel).
      const waiting = session.base === null;
      const url = `/poll?channel=${encodeURIComponent(session.channel)}&since=${waiting ? FROM_NOW : this.cursor()}`;
      try {
        this.c.requests++;
        const r = await fetch(url, {cache: 'no-store'});
        const body = await r.text();
        if (gen !== session.generation) return;
        if (r.status === 400) { this.setState('failed'); this.error = `400 ${body.trim()}`; return; }
        if (r.status !== 200 && r.status !== 204) throw new Error(`HTTP ${r.status}`);
        if (this.failing) { this.failing = false; this.resuming = true; }
        if (waiting) this.setState('waiting', 'waiting for the first event');
        else this.setState('live', `every ${settings.interval} ms`);
        for (const rec of waiting ? [] : parseBatch(body)) {
          if (rec.event === 'gap') { const g = parseGap(rec.data); if (g) this.gap(g[0], g[1]); continue; }
          if (rec.id !== null && !this.event(Number(rec.id), rec.data)) break;
        }
      } catch (e) {
        if (gen !== session.generation) return;
        if (!this.failing) { this.failing = true; this.c.reconnects++; }
        this.setState('reconnecting', String(e.message || e));
      }
      // Fixed rate: the next poll is due `interval` after the previous was due, never a burst to catch up.
      const now = clock();
      if (this.next < now) this.next = now;
      this.schedule(this.next - now);
    }
  }

  // ---- long polling: a fetch loop on /longpoll ----
  class LongPollPane extends Pane {
    constructor() { super('longpoll', 'Long polling', '/longpoll', 'Resource Timing'); this.replaysAfterRestart = true; }
    start(gen) { this.gen = gen; this.failing = false; this.setState('connecting'); this.loop(gen); }
    stop() { this.gen = -1; if (this.abort) this.abort.abort(); }
    restartRequest() { if (this.abort) this.abort.abort(); }
    async loop(gen) {
      while (gen === session.generation) {
        const since = session.base === null ? FROM_NOW : String(this.cursor());
        const url = `/longpoll?channel=${encodeURIComponent(session.channel)}&since=${since}` +
            `&timeout=${LONGPOLL_TIMEOUT_MS}`;
        this.abort = new AbortController();
        const timer = setTimeout(() => this.abort.abort(), LONGPOLL_TIMEOUT_MS + 10000);
        try {
          this.c.requests++;
          if (this.state !== 'live') this.setState(session.base === null ? 'waiting' : 'live',
              session.base === null ? 'waiting for the first event' : '');
          longpollIssued = true;
          const r = await fetch(url, {cache: 'no-store', signal: this.abort.signal});
          const body = await r.text();
          clearTimeout(timer);
          if (gen !== session.generation) return;
          if (r.status === 400) { this.setState('failed'); this.error = `400 ${body.trim()}`; return; }
          if (r.status !== 200 && r.status !== 204) throw new Error(`HTTP ${r.status}`);
          if (this.failing) { this.failing = false; this.resuming = true; }
          const records = parseBatch(body);
          if (session.base === null) {
            const first = records.find((rec) => rec.id !== null && rec.event !== 'gap');
            if (first) setBase(Number(first.id) - 1);
          }
          this.setState('live');
          for (const rec of records) {
            if (rec.event === 'gap') { const g = parseGap(rec.data); if (g) this.gap(g[0], g[1]); continue; }
            if (rec.id !== null && !this.event(Number(rec.id), rec.data)) break;
          }
        } catch (e) {
          clearTimeout(timer);
          if (gen !== session.generation) return;
          if (e.name === 'AbortError' && this.restarting) { this.restarting = false; continue; }
          if (!this.failing) { this.failing = true; this.c.reconnects++; }
          this.setState('reconnecting', String(e.message || e));
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      }
    }
  }

  // ---- EventSource on /sse: the browser reconnects by itself and sends Last-Event-ID ----
  class SsePane extends Pane {
    constructor() { super('sse', 'EventSource', '/sse', 'counted from id/data lines'); this.replaysAfterRestart = false; }
    start(gen) { this.gen = gen; this.opened = 0; this.open(false); }
    stop() { this.gen = -1; clearTimeout(this.timer); if (this.es) this.es.close(); this.es = null; }
    // withSince: only after the browser gave up (a non-200 answer): the URL's since then wins over the
    // Last-Event-ID header on every later reconnect, so this page reconnects such a stream itself.
    open(withSince) {
      const gen = this.gen;
      let url = `/sse?channel=${encodeURIComponent(session.channel)}`;
      if (withSince) url += `&since=${this.cursor()}`;
      const es = new EventSource(url);
      this.es = es; this.manual = withSince;
      this.c.requests++;
      es.onopen = () => {
        if (gen !== this.gen) return;
        if (this.opened++ > 0) this.resuming = true;
        this.setState('live');
        checkReady();
      };
      es.onmessage = (e) => {
        if (gen !== this.gen) return;
        this.c.bytes += 4 + e.lastEventId.length + e.data.length + 7 * (1 + countNewlines(e.data)) + 1;
        this.event(Number(e.lastEventId), e.data);
      };
      es.addEventListener('gap', (e) => {
        if (gen !== this.gen) return;
        const g = parseGap(e.data); if (g) this.gap(g[0], g[1]);
      });
      es.onerror = async () => {
        if (gen !== this.gen) return;
        if (es.readyState === EventSource.CONNECTING && !this.manual) {
          // The browser retries on its own (after the server's retry: time), with Last-Event-ID.
          if (this.state !== 'reconnecting') { this.c.reconnects++; this.c.requests++; }
          else this.c.requests++;
          this.setState('reconnecting', 'the browser retries with Last-Event-ID');
          return;
        }
        es.close();
        this.c.reconnects++;
        const reason = await refusalReason(session.channel);
        if (gen !== this.gen) return;
        if (reason) { this.setState('failed'); this.error = `400 ${reason}`; return; }
        this.setState('reconnecting', 'stream refused or lost; reopening with since');
        this.timer = setTimeout(() => { if (gen === this.gen) this.open(true); }, 1000);
      };
    }
  }
  function countNewlines(s) { let n = 0; for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++; return n; }

  // ---- WebSocket on /ws: resumes with since=<last id> ----
  class WsPane extends Pane {
    constructor() { super('ws', 'WebSocket', '/ws', 'counted from frames'); this.replaysAfterRestart = true; }
    start(gen) { this.gen = gen; this.opened = 0; this.open(); }
    stop() { this.gen = -1; clearTimeout(this.timer); if (this.ws) this.ws.close(1000); this.ws = null; }
    reopen() {
      if (this.ws) { const old = this.ws; old.onclose = null; old.onmessage = null; old.close(1000); }
      clearTimeout(this.timer);
      this.open();
    }
    open() {
      const gen = this.gen;
      const resume = this.opened > 0 || session.base !== null;
      let url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?channel=` +
          encodeURIComponent(session.channel);
      if (resume) url += `&since=${this.cursor()}`;
      const ws = new WebSocket(url);
      this.ws = ws;
      this.c.requests++;
      let wasOpen = false;
      // A socket replaced by reopen() may still deliver what it had buffered: only this.ws counts.
      ws.onopen = () => {
        if (gen !== this.gen || ws !== this.ws) return;
        wasOpen = true;
        if (this.opened++ > 0) this.resuming = true;
        this.setState('live');
        checkReady();
      };
      ws.onmessage = (e) => {
        if (gen !== this.gen || ws !== this.ws || typeof e.data !== 'string') return;
        const text = e.data;
        this.c.bytes += text.length + (text.length < 126 ? 2 : text.length < 65536 ? 4 : 10);
        if (text.startsWith('gap ')) { const g = parseGap(text.slice(4)); if (g) this.gap(g[0], g[1]); return; }
        const space = text.indexOf(' ');
        const id = Number(space < 0 ? text : text.slice(0, space));
        if (!this.event(id, space < 0 ? '' : text.slice(space + 1))) this.reopen();
      };
      ws.onclose = async (e) => {
        if (gen !== this.gen || ws !== this.ws) return;
        if (this.closes.length >= 20) this.closes.shift();
        this.closes.push({code: e.code, reason: e.reason, wasClean: e.wasClean, opened: wasOpen});
        this.c.reconnects++;
        const meaning = {1000: 'normal', 1001: 'server going away', 1006: 'connection lost',
          1008: 'dropped: slow consumer', 1009: 'message too big'}[e.code] || '';
        if (!wasOpen) {
          const reason = await refusalReason(session.channel);
          if (gen !== this.gen) return;
          if (reason) { this.setState('failed'); this.error = `400 ${reason}`; return; }
        }
        this.setState('reconnecting', `closed ${e.code}${meaning ? ' ' + meaning : ''}${e.reason ? ': ' + e.reason : ''}`);
        this.timer = setTimeout(() => { if (gen === this.gen) this.open(); }, wasOpen ? 250 : 1000);
      };
    }
  }

  // ---- HTTP streaming: one fetch() on /stream, its body read as it arrives; resumes with since=<last id> ----
  class StreamPane extends Pane {
    constructor() { super('stream', 'HTTP streaming', '/stream', 'counted from the body'); this.replaysAfterRestart = true; }
    start(gen) { this.gen = gen; this.opened = 0; this.edge = null; this.loop(gen); }
    stop() { this.gen = -1; if (this.abort) this.abort.abort(); }
    // The server restarted: read again from the new server's history.
    reopen() { this.restarting = true; if (this.abort) this.abort.abort(); }
    async loop(gen) {
      while (gen === this.gen) {
        // A fresh stream starts at the live edge (its first record names it); a resumed one replays after since.
        const since = session.base !== null || this.c.lastId > 0 ? this.cursor() : this.edge;
        let url = `/stream?channel=${encodeURIComponent(session.channel)}`;
        if (since !== null) url += `&since=${since}`;
        this.abort = new AbortController();
        this.c.requests++;
        let received = false;
        try {
          const r = await fetch(url, {cache: 'no-store', signal: this.abort.signal});
          if (gen !== this.gen) return;
          if (r.status === 400) { this.setState('failed'); this.error = `400 ${(await r.text()).trim()}`; return; }
          if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
          if (this.opened++ > 0) this.resuming = true;
          this.setState('live');
          checkReady();
          const reader = r.body.getReader();
          const decoder = new TextDecoder();
          let text = '';
          for (;;) {
            const {value, done} = await reader.read();
            if (gen !== this.gen) return;
            if (done) break;
            received = true;
            this.c.bytes += value.byteLength;
            text += decoder.decode(value, {stream: true});
            const end = text.lastIndexOf('\n\n');
            if (end < 0) {
              if (text.length > MAX_STREAM_BUFFER) throw new Error('a record longer than 4 Mi characters');
              continue;
            }
            const records = parseBatch(text.slice(0, end + 2));
            text = text.slice(end + 2);
            for (const rec of records) {
              if (rec.event === 'gap') { const g = parseGap(rec.data); if (g) this.gap(g[0], g[1]); continue; }
              if (rec.id === null) continue;
              if (!rec.hasData) { this.edge = Number(rec.id); continue; }
              if (!this.event(Number(rec.id), rec.data)) { this.reopen(); break; }
            }
          }
          // The server ended the body: its shutdown, a dropped slow consumer, or no stream for now.
          throw new Error('the server ended the stream');
        } catch (e) {
          if (gen !== this.gen) return;
          if (e.name === 'AbortError' && this.restarting) { this.restarting = false; continue; }
          this.c.reconnects++;
          this.setState('reconnecting', `${String(e.message || e)}; reopening with since`);
          await new Promise((resolve) => setTimeout(resolve, received ? 250 : 1000));
        }
      }
    }
  }

  // Adding a pane is a class above and one entry here.
  const PANE_TYPES = [ShortPollPane, LongPollPane, SsePane, WsPane, StreamPane];

  // ---- the page's own publisher: POST /publish at the chosen rate ----
  // The browser keeps 6 HTTP/1.1 connections per host: long poll, EventSource and stream hold one each, short
  // polls and /stats need one each, which leaves one for publishing.
  const MAX_IN_FLIGHT = 1;
  const publisher = {
    sent: 0, acked: 0, errors: 0, skipped: 0, inFlight: 0, lastId: 0, firstId: 0, lastError: '',
    start: 0, scheduled: 0, timer: null, pad: '',
    configure() {
      this.start = clock(); this.scheduled = 0;
      this.pad = 'x'.repeat(Math.max(0, settings.payload - 40));
      clearInterval(this.timer); this.timer = null;
      if (settings.rate > 0 && !settings.paused && ready) this.timer = setInterval(() => this.tick(), 10);
    },
    tick() {
      if (settings.count > 0 && this.sent >= settings.count) { clearInterval(this.timer); this.timer = null; return; }
      const due = Math.floor((clock() - this.start) * settings.rate / 1000) - this.scheduled;
      // More than a second behind (the connection limit, a slow server): skip, do not burst.
      if (due > Math.max(settings.rate, 10)) { this.skipped += due - settings.rate; this.scheduled += due - settings.rate; }
      for (let k = 0; k < due && this.inFlight < MAX_IN_FLIGHT; k++) {
        if (settings.count > 0 && this.sent >= settings.count) break;
        this.scheduled++;
        this.send();
      }
    },
    async send() {
      const seq = ++this.sent;
      const text = `{"seq":${seq},"t":${clock().toFixed(3)},"pad":"${this.pad}"}`;
      this.inFlight++;
      try {
        const r = await fetch(`/publish?channel=${encodeURIComponent(session.channel)}`,
            {method: 'POST', body: text, cache: 'no-store', headers: {'Content-Type': 'text/plain'}});
        const body = await r.text();
        if (r.status !== 200) throw new Error(`${r.status} ${body.trim()}`);
        const id = Number(body);
        this.acked++;
        if (this.firstId === 0) this.firstId = id;
        if (id > this.lastId) this.lastId = id;
      } catch (e) {
        this.errors++; this.lastError = String(e.message || e);
      } finally {
        this.inFlight--;
      }
    },
  };

  // ---- lifecycle ----
  let ready = false, longpollIssued = false;
  function setBase(base) {
    if (session.base !== null) return;
    session.base = base;
    for (const p of panes) { if (p.c.lastId < base) p.c.lastId = base; p.flushEarly(); }
  }
  function checkReady() {
    if (ready) return;
    if (!SUBSCRIBE_FIRST.every((key) => panes.find((p) => p.key === key).state === 'live')) return;
    ready = true;
    // Let the long poll park first, so the first event published here is the first every pane counts.
    setTimeout(() => publisher.configure(), 300);
  }
  // Ids went back after a reconnect, or /stats counts fewer events: a new server with an empty history.
  function serverRestarted(by) {
    session.lastStatsPublished = -1;
    for (const p of panes) {
      const lostWithServer = Math.max(0, publisher.lastId - p.c.lastId);
      p.c.lost += lostWithServer;
      p.c.restarts++;
      p.c.lastId = 0; p.missing.clear(); p.resuming = false;
    }
    session.base = 0; session.newestSeen = 0;
    publisher.lastId = 0; publisher.firstId = 0;
    for (const p of panes) {
      p.detail = 'server restarted: its history is gone';
      if (p === by) continue;
      if (p instanceof LongPollPane) { p.restarting = true; p.restartRequest(); }
      if (p instanceof WsPane || p instanceof StreamPane) p.reopen();
    }
    if (by instanceof LongPollPane) { by.restarting = false; }
  }
  function startAll() {
    session.generation++;
    session.channel = settings.channel;
    session.base = null; session.newestSeen = 0; session.lastStatsPublished = -1;
    ready = false; longpollIssued = false;
    Object.assign(publisher, {sent: 0, acked: 0, errors: 0, skipped: 0, lastId: 0, firstId: 0, lastError: ''});
    publisher.configure();
    for (const p of panes) { p.stop(); p.clear(); p.gen = session.generation; }
    // Streams first: they must be subscribed before the long poll fixes the start id.
    for (const key of [...SUBSCRIBE_FIRST, 'longpoll', 'poll']) panes.find((p) => p.key === key).start(session.generation);
  }

  // ---- Resource Timing: bytes of each fetch (head + body as the browser received them) ----
  try {
    performance.setResourceTimingBufferSize(2000);
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const path = new URL(e.name).pathname;
        const p = panes.find((q) => q.path === path && q.bytesHow === 'Resource Timing');
        if (p) p.c.bytes += e.transferSize;
      }
    }).observe({type: 'resource'});
    setInterval(() => performance.clearResourceTimings(), 5000);
  } catch (e) { /* an old browser: the poll panes show bytes 0 */ }

  // ---- /stats: the server's side ----
  let serverStats = null, statsError = '';
  async function readStats() {
    try {
      const r = await fetch('/stats', {cache: 'no-store'});
      const s = await r.json();
      serverStats = s; statsError = '';
      const published = s.events ? s.events.published : 0;
      if (session.lastStatsPublished >= 0 && published < session.lastStatsPublished && session.base !== null) {
        serverRestarted(null);
      }
      session.lastStatsPublished = published;
    } catch (e) {
      statsError = 'unreachable';
    }
  }
  setInterval(readStats, 1000);

  // ---- rendering: at most 10 DOM updates a second, only changed text ----
  const fmt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
  const ms = (v) => (Number.isFinite(v) ? (v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)) + ' ms' : '-');
  const bytes = (n) => (n < 10240 ? `${n} B` : n < 10485760 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1048576).toFixed(1)} MiB`);
  const ROWS = [
    ['received', 'events received', (s) => fmt(s.received), 'big'],
    ['lastId', 'last id', (s) => fmt(s.lastId)],
    ['p50', 'latency p50', (s) => ms(s.p50), 'big'],
    ['p99', 'latency p99', (s) => ms(s.p99)],
    ['behind', 'behind (backlog)', (s) => fmt(s.behind)],
    ['requests', 'requests / connections', (s) => fmt(s.requests)],
    ['bytes', 'bytes received', (s) => bytes(s.bytes)],
    ['reconnects', 'reconnects', (s) => fmt(s.reconnects)],
    ['lost', 'lost (gaps in ids)', (s) => fmt(s.lost), 'minor'],
    ['serverSaidLost', 'lost (server said)', (s) => fmt(s.serverSaidLost), 'minor'],
    ['dup', 'duplicates', (s) => fmt(s.dup), 'minor'],
    ['late', 'out of order', (s) => fmt(s.late), 'minor'],
  ];
  const view = new Map();
  function buildPane(p) {
    const section = document.createElement('section');
    section.className = 'pane'; section.id = `pane-${p.key}`;
    section.innerHTML = `<h2>${p.title} <small>${p.path}</small></h2><div class="status"></div><dl></dl>` +
        `<canvas width="300" height="48"></canvas><div class="error"></div>`;
    const dl = section.querySelector('dl');
    const cells = {};
    for (const [key, label, , cls] of ROWS) {
      const dt = document.createElement('dt'); dt.textContent = label;
      if (key === 'bytes') {  // how they were counted; the presenter layout hides it
        const how = document.createElement('span'); how.className = 'how'; how.textContent = ` (${p.bytesHow})`;
        dt.append(how);
      }
      const dd = document.createElement('dd'); dd.dataset.k = key;
      if (cls) { dd.classList.add(cls); if (cls === 'minor') dt.classList.add('minor'); }
      dl.append(dt, dd); cells[key] = dd;
    }
    document.getElementById('panes').append(section);
    view.set(p, {section, cells, status: section.querySelector('.status'), error: section.querySelector('.error'),
      canvas: section.querySelector('canvas'), last: {}});
  }
  function setText(el, text) { if (el.textContent !== text) el.textContent = text; }
  function drawRates(p, canvas) {
    const ctx = canvas.getContext('2d');
    const w = canvas.width, h = canvas.height;
    ctx.clearRect(0, 0, w, h);
    const now = Math.floor(clock() / 1000);
    let max = 1;
    const vals = [];
    for (let k = RATE_HISTORY - 1; k >= 1; k--) {
      const second = now - k;
      const v = second > p.rateSecond || second <= p.rateSecond - RATE_HISTORY ? 0 : p.rates[second % RATE_HISTORY];
      vals.push(v); if (v > max) max = v;
    }
    ctx.fillStyle = '#8ab4f8';
    const bw = w / vals.length;
    vals.forEach((v, i) => { const bh = (v / max) * (h - 2); ctx.fillRect(i * bw, h - bh, Math.max(1, bw - 1), bh); });
  }
  let lastRender = 0, renders = 0;
  function render(ts) {
    requestAnimationFrame(render);
    if (ts - lastRender < 100) return;
    lastRender = ts;
    renders++;
    for (const p of panes) {
      const v = view.get(p), s = p.snapshot();
      v.section.className = `pane ${s.state}`;
      setText(v.status, s.state + (s.detail ? `: ${s.detail}` : ''));
      setText(v.error, s.error);
      for (const [key, , show] of ROWS) {
        setText(v.cells[key], show(s));
        const bad = (key === 'lost' || key === 'serverSaidLost' || key === 'dup' || key === 'late') && s[key] > 0;
        v.cells[key].classList.toggle('bad', bad);
      }
      if (ts - (v.lastChart || 0) > 1000) { v.lastChart = ts; drawRates(p, v.canvas); }
    }
    const pub = publisher;
    setText(document.getElementById('publisher'), settings.rate === 0 || settings.paused
      ? `this page publishes nothing (${settings.paused ? 'paused' : 'rate 0'}); events from other publishers are counted`
      : `this page publishes ${settings.rate}/s of ${settings.payload} B to "${session.channel}": sent ${fmt(pub.sent)}, ` +
        `acknowledged ${fmt(pub.acked)} (ids ${pub.firstId}..${pub.lastId}), errors ${fmt(pub.errors)}` +
        (pub.skipped ? `, skipped ${fmt(pub.skipped)} (could not keep up)` : '') +
        (pub.lastError ? ` (last: ${pub.lastError})` : ''));
    const st = serverStats;
    setText(document.getElementById('server'), statsError && !st ? `server: /stats ${statsError}` : !st ? 'server: waiting for /stats'
      : `server${statsError ? ' (stale: ' + statsError + ')' : ''}: connections open ${st.connections.open} ` +
        `(${Object.keys(st.transports || {}).map((k) => `${k} ${st.connections[k] ?? 0}`).join(', ')}), ` +
        `events published ${fmt(st.events.published)}, ` +
        `bytes in ${bytes(st.bytes.in)} / out ${bytes(st.bytes.out)}, RSS ${bytes(st.rss_bytes)}`);
  }

  // ---- controls ----
  function syncUrl() {
    const q = new URLSearchParams(location.search);
    for (const k of ['channel', 'rate', 'payload', 'interval']) q.set(k, String(settings[k]));
    if (settings.paused) q.set('paused', '1'); else q.delete('paused');
    if (settings.presenter) q.set('presenter', '1'); else q.delete('presenter');
    history.replaceState(null, '', `${location.pathname}?${q}`);
  }
  function setupControls() {
    const form = document.getElementById('controls');
    for (const k of ['channel', 'rate', 'payload', 'interval']) form.elements[k].value = settings[k];
    form.addEventListener('change', (e) => {
      const k = e.target.name;
      if (k === 'channel') {
        const name = e.target.value.trim();
        if (!name || name === settings.channel) return;
        settings.channel = name; startAll();
      } else if (k in settings) {
        const v = Number(e.target.value);
        if (!Number.isFinite(v)) return;
        const lim = {rate: [0, 10000], payload: [0, 1 << 20], interval: [10, 60000]}[k];
        settings[k] = Math.min(lim[1], Math.max(lim[0], Math.round(v)));
        e.target.value = settings[k];
        if (k !== 'interval') publisher.configure();
      }
      syncUrl();
    });
    form.addEventListener('submit', (e) => e.preventDefault());
    const pause = document.getElementById('pause');
    const presenter = document.getElementById('presenter');
    const paint = () => {
      pause.textContent = settings.paused ? 'resume' : 'pause'; pause.classList.toggle('on', settings.paused);
      presenter.classList.toggle('on', settings.presenter);
      document.body.classList.toggle('presenter', settings.presenter);
    };
    pause.onclick = () => { settings.paused = !settings.paused; publisher.configure(); paint(); syncUrl(); };
    presenter.onclick = () => { settings.presenter = !settings.presenter; paint(); syncUrl(); };
    paint();
  }

  // ---- for tests and the console ----
  window.rtb = {
    settings, session, publisher,
    ready: () => ready && longpollIssued,
    renders: () => renders,  // DOM updates so far: a test sees that the tab keeps rendering
    snapshot: () => ({channel: session.channel, base: session.base, ready: ready && longpollIssued,
      publisher: {sent: publisher.sent, acked: publisher.acked, errors: publisher.errors, skipped: publisher.skipped,
        firstId: publisher.firstId, lastId: publisher.lastId},
      server: serverStats, panes: Object.fromEntries(panes.map((p) => [p.key, p.snapshot()]))}),
    // Starts (or changes) this page's publisher: rtb.publish({rate: 20, count: 100}).
    publish: ({rate, count = 0, payload}) => {
      settings.rate = rate; settings.count = count; if (payload !== undefined) settings.payload = payload;
      settings.paused = false; publisher.configure();
      const form = document.getElementById('controls');
      for (const k of ['rate', 'payload']) form.elements[k].value = settings[k];
      syncUrl();
    },
  };

  for (const T of PANE_TYPES) { const p = new T(); panes.push(p); buildPane(p); }
  setupControls();
  startAll();
  readStats();
  requestAnimationFrame(render);
})();
