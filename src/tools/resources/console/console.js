/* Telemetra console: shared script for the overview and stream pages.
 * Plain ES2020, no build step. Every piece of server data reaches the DOM via
 * textContent or dataset; the only attribute built from data is href, and that
 * always goes through streamHref() (encodeURIComponent). Never innerHTML. */
(() => {
  'use strict';

  const RANGES = { '15m': 15 * 60e3, '1h': 3600e3, '6h': 6 * 3600e3, '24h': 24 * 3600e3 };
  const AT_HALF_SPAN = 15 * 60e3;   // ?at=MS shows at ± 15 min
  const TYPE_COLORS = {
    chat_spike: '#d9480f', emote_flood: '#2b8a3e', viewer_spike: '#1c7ed6', viewer_drop: '#5f3dc4',
    sentiment_swing: '#c2255c', sentiment_collapse: '#c92a2a', raid: '#e67700', hype: '#0c8599',
  };
  const PALETTE = ['#862e9c', '#364fc7', '#087f5b', '#a61e4d', '#5c940d', '#e8590c', '#1864ab'];

  // ---------- small helpers ----------

  const $ = (id) => document.getElementById(id);

  /** createElement + textContent; children may be nodes or plain strings (become text nodes). */
  function el(tag, opts = {}, ...kids) {
    const e = document.createElement(tag);
    if (opts.cls) e.className = opts.cls;
    if (opts.text != null) e.textContent = String(opts.text);
    if (opts.title != null) e.title = String(opts.title);
    if (opts.href != null) e.setAttribute('href', opts.href);   // only ever from streamHref()
    for (const k of kids) if (k != null) e.append(k);
    return e;
  }

  /** The one place a data-derived URL is built: the id is always percent-encoded. */
  function streamHref(id, query) {
    return '/streams/' + encodeURIComponent(String(id)) + (query ? '?' + query : '');
  }

  const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
  const toInt = (s) => (s != null && /^-?\d+$/.test(s) ? Number(s) : null);

  function fmtNum(v, digits = 0) {
    if (!isNum(v)) return '—';
    return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }
  const fmtSigned = (v) => (isNum(v) ? (v > 0 ? '+' : '') + v.toFixed(2) : '—');
  const iso = (ms) => (isNum(ms) ? new Date(ms).toISOString() : null);
  const fmtTime = (ms) => (isNum(ms) ? iso(ms).slice(11, 19) : '—');
  const fmtDateTime = (ms) => (isNum(ms) ? iso(ms).slice(0, 10) + ' ' + iso(ms).slice(11, 19) : '—');

  /** Compact axis labels so a fixed axis width fits (keeps the four plots x-aligned). */
  function fmtAxis(v) {
    if (v == null) return '';
    const a = Math.abs(v);
    if (a >= 1e6) return +(v / 1e6).toFixed(1) + 'M';
    if (a >= 1e4) return +(v / 1e3).toFixed(1) + 'k';
    return String(+v.toFixed(3));
  }

  function typeColor(type) {
    if (TYPE_COLORS[type]) return TYPE_COLORS[type];
    let h = 0;   // unknown types still get a stable colour
    for (const ch of String(type)) h = (h * 31 + ch.codePointAt(0)) >>> 0;
    return PALETTE[h % PALETTE.length];
  }

  function typeBadge(type) {
    const b = el('span', { cls: 'badge', text: type || 'moment' });
    b.style.setProperty('--c', typeColor(type));
    return b;
  }

  function showError(msg) {
    const e = $('error');
    e.textContent = msg;
    e.hidden = false;
  }
  function clearError() { $('error').hidden = true; }

  async function getJSON(url, signal) {
    const res = await fetch(url, { signal, headers: { Accept: 'application/json' } });
    if (!res.ok) {
      let body = '';
      try { body = (await res.text()).slice(0, 300); } catch (_) { /* ignore */ }
      const err = new Error(`${url}: HTTP ${res.status}${body ? ' — ' + body : ''}`);
      err.status = res.status;
      throw err;
    }
    return res.json();
  }

  // ---------- test hook ----------

  let draws = 0;
  /** Called only after data has been drawn; a failed fetch never reaches here. */
  function markDrawn(info) {
    draws += 1;
    window.__telemetra = Object.assign({ page: info.page, drawnAt: performance.now(), draws }, info);
    document.documentElement.setAttribute('data-drawn', String(draws));
  }

  // ---------- loading: user actions win, live updates coalesce ----------

  function makeLoader(loadAndDraw) {
    let ctrl = null;
    let again = false;
    async function start() {
      const c = (ctrl = new AbortController());
      try {
        await loadAndDraw(c.signal);
        if (!c.signal.aborted) clearError();
      } catch (e) {
        if (!c.signal.aborted && e.name !== 'AbortError') showError(e.message || String(e));
      } finally {
        if (ctrl === c) {
          ctrl = null;
          if (again) { again = false; start(); }
        }
      }
    }
    return {
      // a new range/selection makes the in-flight request useless: abort it
      now() { again = false; if (ctrl) ctrl.abort(); start(); },
      // SSE ticks every ~10 s; if a fetch is still running, just run once more after it
      live() { if (ctrl) again = true; else start(); },
    };
  }

  // ---------- lag indicator + live connection ----------

  const lag = { newest: null, lagS: null, at: 0 };

  function setLag(newest, lagS) {
    if (!isNum(newest)) return;
    if (isNum(lag.newest) && newest < lag.newest) return;   // never go backwards
    lag.newest = newest;
    lag.lagS = isNum(lagS) ? lagS : null;
    lag.at = Date.now();
    renderLag();
  }

  function renderLag() {
    const e = $('lag');
    if (!e) return;
    if (!isNum(lag.newest)) { e.textContent = 'newest window: none yet'; return; }
    // tick between events so a stalled pipeline visibly falls behind
    const behind = lag.lagS == null ? null : Math.max(0, Math.round(lag.lagS + (Date.now() - lag.at) / 1000));
    e.textContent = `newest window: ${fmtTime(lag.newest)} UTC` + (behind == null ? '' : `, ${behind} s behind`);
    e.classList.toggle('stale', behind != null && behind > 60);
  }

  function setLive(state) {
    const d = $('live');
    if (!d) return;
    d.className = 'live ' + state;
    d.title = state === 'on' ? 'live updates connected' : 'live updates reconnecting…';
  }

  function connectLive(onWindow) {
    if (!('EventSource' in window)) return;
    const es = new EventSource('/api/events');
    es.onopen = () => setLive('on');
    es.onerror = () => {
      setLive('off');
      // the browser retries by itself unless the server refused outright
      if (es.readyState === EventSource.CLOSED) setTimeout(() => connectLive(onWindow), 10000);
    };
    es.addEventListener('window', (ev) => {
      let d;
      try { d = JSON.parse(ev.data); } catch (_) { return; }
      setLag(d.newest_window_end, d.lag_seconds);
      onWindow();
    });
  }

  /** Range links work without JS; with JS they switch in place via pushState. */
  function markActiveRange(active) {
    for (const a of document.querySelectorAll('#range a[data-range]')) {
      const on = a.dataset.range === active;
      a.classList.toggle('active', on);
      if (on) a.setAttribute('aria-current', 'true'); else a.removeAttribute('aria-current');
    }
  }

  function onRangeClick(handler) {
    $('range').addEventListener('click', (e) => {
      const a = e.target.closest('a[data-range]');
      if (!a || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      handler(a.dataset.range);
    });
  }

  // =====================================================================
  // Overview page
  // =====================================================================

  function overviewPage() {
    const ov = { range: '15m', from: null, to: null, data: null, alerts: null, alertsOff: false,
                 sort: { key: 'chat_rate', dir: -1 } };

    function readUrl() {
      const q = new URLSearchParams(location.search);
      ov.from = toInt(q.get('from'));
      ov.to = toInt(q.get('to'));
      if (ov.from == null || ov.to == null) ov.from = ov.to = null;
      ov.range = RANGES[q.get('range')] ? q.get('range') : '15m';
      markActiveRange(ov.from == null ? ov.range : null);
    }
    const query = () => (ov.from != null ? `from=${ov.from}&to=${ov.to}` : `range=${ov.range}`);

    async function loadAlerts(signal) {
      if (ov.alertsOff) return null;
      try {
        return await getJSON('/api/alerts', signal);
      } catch (e) {
        if (e.status === 404) ov.alertsOff = true;   // alerts not configured: stop asking
        return null;                                 // optional panel: never fails the page
      }
    }

    async function load(signal) {
      const [data, alerts] = await Promise.all([getJSON('/api/overview?' + query(), signal), loadAlerts(signal)]);
      if (signal.aborted) return;
      ov.data = data;
      ov.alerts = alerts;
      setLag(data.newest_window_end, data.lag_seconds);
      renderAlerts();
      render();
    }

    function sortedStreams() {
      const { key, dir } = ov.sort;
      const rows = Array.isArray(ov.data.streams) ? ov.data.streams.slice() : [];
      return rows.sort((a, b) => {
        if (key === 'stream_id') return dir * String(a.stream_id).localeCompare(String(b.stream_id));
        const x = a[key], y = b[key];
        const byId = String(a.stream_id).localeCompare(String(b.stream_id));
        if (!isNum(x) || !isNum(y)) return (isNum(y) - isNum(x)) || byId;   // nulls last in both directions
        return dir * (x - y) || byId;
      });
    }

    function render() {
      const d = ov.data;
      const streams = sortedStreams();
      const tbody = $('streams').tBodies[0];
      tbody.replaceChildren(...streams.map((s) => streamRow(s, d.from, d.to)));
      $('streams-empty').hidden = streams.length > 0;

      for (const th of $('streams').tHead.querySelectorAll('th[data-sort]')) {
        const on = th.dataset.sort === ov.sort.key;
        th.classList.toggle('sorted', on);
        if (on) th.setAttribute('aria-sort', ov.sort.dir < 0 ? 'descending' : 'ascending');
        else th.removeAttribute('aria-sort');
      }

      const moments = Array.isArray(d.moments) ? d.moments : [];
      $('moments').replaceChildren(...moments.map(momentItem));
      $('moments-empty').hidden = moments.length > 0;

      markDrawn({ page: 'overview', newestWindowEnd: isNum(d.newest_window_end) ? d.newest_window_end : null,
                  moments, streams: streams.map((s) => s.stream_id) });
    }

    function streamRow(s, from, to) {
      const tr = el('tr');
      tr.dataset.streamId = s.stream_id;   // dataset: stored as text, never parsed
      const td = (content, cls) => el('td', { cls }, content);
      const sent = el('td', { cls: 'num ' + (s.avg_sentiment > 0.05 ? 'pos' : s.avg_sentiment < -0.05 ? 'neg' : ''),
                              text: fmtSigned(s.avg_sentiment) });
      tr.append(
        td(el('a', { href: streamHref(s.stream_id, query()), text: s.stream_id }), 'id'),
        td(fmtNum(s.chat_rate, 2), 'num'),
        td(fmtNum(s.unique_chatters), 'num'),
        sent,
        td(fmtNum(s.avg_viewers), 'num'),
        td(fmtNum(s.moments), 'num'),
        td(sparkline(s.sparkline, from, to), 'spark-cell'),
        td(fmtTime(s.last_window_end), 'num muted'),
      );
      return tr;
    }

    /** Inline SVG: one path per row is far lighter than a uPlot instance per row. */
    function sparkline(sp, from, to) {
      const NS = 'http://www.w3.org/2000/svg';
      const W = 120, H = 28;
      const svg = document.createElementNS(NS, 'svg');
      svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
      svg.setAttribute('preserveAspectRatio', 'none');
      svg.setAttribute('class', 'spark');
      svg.setAttribute('aria-hidden', 'true');
      const t = (sp && sp.t) || [], v = (sp && sp.chat_rate) || [];
      let max = 0;
      for (const y of v) if (isNum(y) && y > max) max = y;
      // shared x extent (the whole range) so rows are comparable in time
      const x0 = from / 1000, span = Math.max(1, to / 1000 - x0);
      let d = '', pen = false, pts = 0;
      for (let i = 0; i < t.length; i++) {
        if (!isNum(v[i])) { pen = false; continue; }
        const x = ((t[i] - x0) / span) * W, y = H - 2 - (v[i] / (max || 1)) * (H - 4);
        d += (pen ? 'L' : 'M') + x.toFixed(1) + ' ' + y.toFixed(1);
        pen = true; pts++;
      }
      if (pts === 1) d += 'h1';   // a lone window still shows as a dot
      if (d) {
        const path = document.createElementNS(NS, 'path');
        path.setAttribute('d', d);
        svg.append(path);
      }
      return svg;
    }

    function momentItem(m) {
      const li = el('li', { cls: 'moment' });
      li.dataset.momentId = String(m.id);
      li.append(
        el('div', { cls: 'moment-head' },
          typeBadge(m.moment_type),
          el('a', { href: streamHref(m.stream_id, 'at=' + Math.round(Number(m.timestamp))), text: m.stream_id, cls: 'stream-link' }),
          el('span', { cls: 'muted', text: fmtTime(m.timestamp), title: fmtDateTime(m.timestamp) + ' UTC' }),
          el('span', { cls: 'muted', text: 'intensity ' + fmtNum(m.intensity, 2) })),
        m.description ? el('div', { cls: 'desc', text: m.description }) : null,
      );
      return li;
    }

    function renderAlerts() {
      const box = $('alerts'), a = ov.alerts;
      if (!a) { box.hidden = true; return; }
      const dead = Array.isArray(a.dead) ? a.dead : [];
      box.hidden = false;
      box.classList.toggle('warn', dead.length > 0);
      $('alerts-summary').textContent =
        `${fmtNum(a.delivered)} delivered · ${fmtNum(a.pending)} pending · ${dead.length} failed permanently`;
      $('alerts-dead').replaceChildren(...dead.map((x) => {
        const li = el('li', {},
          el('div', {},
            el('a', { href: streamHref(x.stream_id, query()), text: x.stream_id }),
            ' → ', el('span', { cls: 'mono', text: x.webhook }),
            el('span', { cls: 'muted', text: ` · ${fmtNum(x.attempts)} attempts · ${fmtDateTime(x.updated_at)} UTC` })),
          el('div', { cls: 'err-text', text: x.last_error || '(no error text)' }));
        li.dataset.momentId = String(x.moment_id);
        return li;
      }));
    }

    // header clicks: same column flips direction, new column starts descending (ids ascending)
    $('streams').tHead.addEventListener('click', (e) => {
      const th = e.target.closest('th[data-sort]');
      if (!th) return;
      const key = th.dataset.sort;
      ov.sort = ov.sort.key === key ? { key, dir: -ov.sort.dir } : { key, dir: key === 'stream_id' ? 1 : -1 };
      if (ov.data) render();
    });

    const loader = makeLoader(load);
    onRangeClick((r) => {
      history.pushState(null, '', '?range=' + r);
      readUrl();
      loader.now();
    });
    window.addEventListener('popstate', () => { readUrl(); loader.now(); });

    readUrl();
    renderLag();
    setInterval(renderLag, 1000);
    loader.now();
    connectLive(() => loader.live());
  }

  // =====================================================================
  // Stream page
  // =====================================================================

  const CHARTS = [
    { key: 'chat_rate', height: 170, series: [
      { field: 'chat_rate', label: 'chat rate (msgs/s)', stroke: '#1c7ed6', fill: 'rgba(28,126,214,0.08)', dp: 2, scale: 'y' }] },
    { key: 'unique_chatters', height: 150, series: [
      { field: 'unique_chatters', label: 'unique chatters', stroke: '#0c8599', fill: 'rgba(12,133,153,0.08)', dp: 0, scale: 'y' }] },
    { key: 'sentiment', height: 170, series: [
      { field: 'avg_sentiment', label: 'avg sentiment', stroke: '#343a40', width: 2, dp: 3, scale: 'sent' },
      { field: 'positive_count', label: 'positive msgs', stroke: '#2f9e44', dp: 0, scale: 'cnt' },
      { field: 'negative_count', label: 'negative msgs', stroke: '#e03131', dp: 0, scale: 'cnt' }] },
    { key: 'avg_viewers', height: 150, series: [
      { field: 'avg_viewers', label: 'avg viewers', stroke: '#5f3dc4', fill: 'rgba(95,61,196,0.07)', dp: 0, scale: 'v' }] },
  ];
  const LEFT_AXIS = 62, RIGHT_AXIS = 52;   // fixed sizes keep all plot areas x-aligned

  function streamPage() {
    let id = location.pathname.slice('/streams/'.length);
    try { id = decodeURIComponent(id); } catch (_) { /* keep raw if malformed */ }

    const sv = { id, mode: '15m', from: null, to: null, at: null, data: null, moments: [], charts: [],
                 scrollToAt: false };

    const title = $('stream-title');
    title.textContent = id;
    title.dataset.streamId = id;
    document.title = id + ' · Telemetra';

    function readUrl() {
      const q = new URLSearchParams(location.search);
      const from = toInt(q.get('from')), to = toInt(q.get('to')), at = toInt(q.get('at'));
      const range = RANGES[q.get('range')] ? q.get('range') : null;
      sv.at = at;
      if (from != null && to != null && from < to) Object.assign(sv, { mode: 'custom', from, to });
      else if (at != null) {
        const half = range ? RANGES[range] / 2 : AT_HALF_SPAN;   // an explicit range sets the width
        Object.assign(sv, { mode: 'custom', from: at - half, to: at + half });
      } else Object.assign(sv, { mode: range || '15m', from: null, to: null });
      sv.scrollToAt = at != null;
      syncRangeUi();
    }

    const apiQuery = () => (sv.mode === 'custom' ? `from=${sv.from}&to=${sv.to}` : `range=${sv.mode}`);

    function syncRangeUi() {
      markActiveRange(sv.mode);
      $('custom').classList.toggle('active', sv.mode === 'custom');
      if (sv.mode === 'custom') fillCustomInputs(sv.from, sv.to);
    }

    function fillCustomInputs(from, to) {
      const f = $('from-input'), t = $('to-input');
      if (document.activeElement === f || document.activeElement === t) return;   // don't fight the user
      if (isNum(from)) f.value = iso(from).slice(0, 19);
      if (isNum(to)) t.value = iso(to).slice(0, 19);
    }

    function go(url) {
      history.pushState(null, '', url);
      loader.now();
    }

    function setCustom(from, to, keepAt) {
      Object.assign(sv, { mode: 'custom', from: Math.round(from), to: Math.round(to) });
      if (!keepAt) sv.at = null;
      syncRangeUi();
      go(streamHref(sv.id, `from=${sv.from}&to=${sv.to}` + (sv.at != null ? `&at=${sv.at}` : '')));
    }

    function focusMoment(ts) {
      ts = Math.round(Number(ts));
      Object.assign(sv, { mode: 'custom', from: ts - AT_HALF_SPAN, to: ts + AT_HALF_SPAN, at: ts, scrollToAt: true });
      syncRangeUi();
      go(streamHref(sv.id, 'at=' + ts));
    }

    // ---------- charts ----------

    const zeroRange = (u, min, max) => [0, isNum(max) && max > 0 ? max * 1.08 : 1];
    const symRange = (u, min, max) => {
      const m = Math.max(isNum(min) ? Math.abs(min) : 0, isNum(max) ? Math.abs(max) : 0, 0.05) * 1.1;
      return [-m, m];   // centred on 0 so the sign of sentiment is obvious
    };

    const Y_SCALES = { y: { range: zeroRange }, cnt: { range: zeroRange }, sent: { range: symRange }, v: {} };

    function makeChart(def) {
      const box = document.querySelector(`[data-chart="${def.key}"]`);
      const plot = box.querySelector('.plot');
      const first = def.series[0];
      const rightScale = def.key === 'sentiment' ? 'cnt' : first.scale;
      const numVal = (dp) => (u, v) => (isNum(v) ? fmtNum(v, dp) : '—');
      const scales = {
        // always show the whole requested range, even where there are no windows yet
        x: { time: true, range: (u, min, max) => (sv.data ? [sv.data.from / 1000, sv.data.to / 1000] : [min, max]) },
      };
      for (const s of def.series) scales[s.scale] = { ...Y_SCALES[s.scale] };   // only scales this chart uses
      const opts = {
        width: plot.clientWidth || 600,
        height: def.height,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'),
        cursor: { sync: { key: 'telemetra', setSeries: false }, drag: { x: true, y: false, setScale: false } },
        scales,
        series: [{ label: 'time (UTC)', value: '{YYYY}-{MM}-{DD} {HH}:{mm}:{ss}' }].concat(def.series.map((s) => ({
          label: s.label, scale: s.scale, stroke: s.stroke, fill: s.fill, width: s.width || 1.5, value: numVal(s.dp),
        }))),
        axes: [
          { space: 70, stroke: '#495057', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#dee2e6' } },
          { scale: first.scale, size: LEFT_AXIS, stroke: '#495057', grid: { stroke: '#eef0f3' },
            ticks: { stroke: '#dee2e6' }, values: (u, splits) => splits.map(fmtAxis) },
          // every chart reserves a right axis so all plot areas line up; only sentiment labels it
          { scale: rightScale, side: 1, size: RIGHT_AXIS, stroke: '#495057', grid: { show: false },
            ticks: { show: rightScale !== first.scale, stroke: '#dee2e6' },
            values: (u, splits) => splits.map((v) => (rightScale !== first.scale ? fmtAxis(v) : '')) },
        ],
        hooks: { draw: [drawMarkers], setSelect: [onSelect] },
      };
      const u = new uPlot(opts, [[]].concat(def.series.map(() => [])), plot);
      const chart = { def, box, plot, u };
      attachMarkerHover(chart);
      return chart;
    }

    /** Vertical moment markers, drawn on the canvas after the series (cheap for any point count). */
    function drawMarkers(u) {
      if (!sv.moments.length) return;
      const { ctx } = u, { left, top, width, height } = u.bbox, px = uPlot.pxRatio || 1;
      ctx.save();
      ctx.beginPath();
      ctx.rect(left, top, width, height);
      ctx.clip();
      for (const m of sv.moments) {
        const x = Math.round(u.valToPos(m.timestamp / 1000, 'x', true));
        if (!(x >= left && x <= left + width)) continue;
        const sel = m.timestamp === sv.at;
        ctx.strokeStyle = ctx.fillStyle = typeColor(m.moment_type);
        ctx.lineWidth = (sel ? 3 : 1.5) * px;
        ctx.setLineDash(sel ? [] : [4 * px, 3 * px]);
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, top + height);
        ctx.stroke();
        ctx.beginPath();   // small cap so markers read as "events", not gridlines
        ctx.moveTo(x - 4 * px, top);
        ctx.lineTo(x + 4 * px, top);
        ctx.lineTo(x, top + 6 * px);
        ctx.fill();
      }
      ctx.restore();
    }

    function nearestMoment(u, cssX) {
      let best = null, bestD = 6;   // px tolerance either side of the line
      for (const m of sv.moments) {
        const d = Math.abs(u.valToPos(m.timestamp / 1000, 'x') - cssX);
        if (d < bestD) { bestD = d; best = m; }
      }
      return best;
    }

    function attachMarkerHover(chart) {
      const { u } = chart, tip = $('tooltip');
      let hovered = null;
      u.over.addEventListener('mousemove', (e) => {
        hovered = nearestMoment(u, e.clientX - u.over.getBoundingClientRect().left);
        u.over.style.cursor = hovered ? 'pointer' : '';
        if (!hovered) { tip.hidden = true; return; }
        const m = hovered;
        tip.replaceChildren(
          el('div', {}, typeBadge(m.moment_type), ' ', el('span', { cls: 'muted', text: fmtDateTime(m.timestamp) + ' UTC' })),
          el('div', { text: 'intensity ' + fmtNum(m.intensity, 2) }),
          m.description ? el('div', { cls: 'desc', text: m.description }) : null);
        tip.hidden = false;
        // keep the tooltip inside the viewport
        const w = tip.offsetWidth, h = tip.offsetHeight;
        const x = e.clientX + 14 + w > innerWidth - 8 ? e.clientX - 14 - w : e.clientX + 14;
        const y = e.clientY + 14 + h > innerHeight - 8 ? e.clientY - 14 - h : e.clientY + 14;
        tip.style.left = Math.max(4, x) + 'px';
        tip.style.top = Math.max(4, y) + 'px';
      });
      u.over.addEventListener('mouseleave', () => { hovered = null; tip.hidden = true; });
      u.over.addEventListener('click', () => { if (hovered) focusMoment(hovered.timestamp); });
    }

    // drag-select on any chart becomes a custom range; synced charts fire too, so coalesce
    let zoomTimer = 0, zoom = null;
    function onSelect(u) {
      if (u.select.width < 4) return;
      zoom = [u.posToVal(u.select.left, 'x') * 1000, u.posToVal(u.select.left + u.select.width, 'x') * 1000];
      if (!zoomTimer) zoomTimer = setTimeout(applyZoom, 0);
    }
    function applyZoom() {
      zoomTimer = 0;
      for (const c of sv.charts) c.u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
      let [from, to] = zoom;
      if (to - from < 60e3) { const mid = (from + to) / 2; from = mid - 30e3; to = mid + 30e3; }
      setCustom(from, to, sv.at != null && sv.at >= from && sv.at <= to);
    }

    function countNonNull(a) {
      let n = 0;
      for (let i = 0; i < a.length; i++) if (a[i] != null) n++;
      return n;
    }

    // ---------- load + draw ----------

    async function load(signal) {
      const data = await getJSON(`/api/streams/${encodeURIComponent(sv.id)}?${apiQuery()}`, signal);
      if (signal.aborted) return;
      draw(data);
    }

    function draw(data) {
      sv.data = data;
      sv.moments = Array.isArray(data.moments) ? data.moments : [];
      setLag(data.newest_window_end, data.lag_seconds);
      if (sv.mode !== 'custom') fillCustomInputs(data.from, data.to);   // a starting point for custom

      const s = data.series || {};
      const t = Array.isArray(s.t) ? s.t : [];
      for (const c of sv.charts) {
        const cols = [t].concat(c.def.series.map((f) => (Array.isArray(s[f.field]) ? s[f.field] : t.map(() => null))));
        // batch() commits synchronously, so the chart is drawn when we set the test hook
        c.u.batch(() => {
          c.u.setData(cols);
          if (!t.length) c.u.setScale('x', { min: data.from / 1000, max: data.to / 1000 });
        });
        c.box.dataset.points = String(countNonNull(cols[1]));
      }
      $('empty').hidden = t.length > 0;

      renderMoments();
      renderEmotes(Array.isArray(data.top_emotes) ? data.top_emotes : []);
      markDrawn({ page: 'stream', newestWindowEnd: isNum(data.newest_window_end) ? data.newest_window_end : null,
                  series: data.series, moments: sv.moments });
    }

    function renderMoments() {
      const list = sv.moments.slice().sort((a, b) => a.timestamp - b.timestamp);
      let selected = null;
      $('moments').replaceChildren(...list.map((m) => {
        const ts = Math.round(Number(m.timestamp));
        const li = el('li', { cls: 'moment' });
        li.dataset.momentId = String(m.id);
        li.style.setProperty('--c', typeColor(m.moment_type));
        const a = el('a', { href: streamHref(sv.id, 'at=' + ts), cls: 'moment-link' },
          el('div', { cls: 'moment-head' }, typeBadge(m.moment_type),
            el('span', { text: fmtTime(ts), title: fmtDateTime(ts) + ' UTC' }),
            el('span', { cls: 'muted', text: 'intensity ' + fmtNum(m.intensity, 2) })),
          m.description ? el('div', { cls: 'desc', text: m.description }) : null);
        a.addEventListener('click', (e) => {
          if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;   // new tab etc.
          e.preventDefault();
          focusMoment(ts);
        });
        li.append(a);
        if (ts === sv.at) { li.classList.add('selected'); a.setAttribute('aria-current', 'true'); selected = selected || li; }
        return li;
      }));
      $('moments-count').textContent = list.length ? `(${list.length})` : '';
      $('moments-empty').hidden = list.length > 0;
      // scroll the highlighted moment into view once per navigation, not on every live update
      if (selected && sv.scrollToAt) { if (selected.scrollIntoView) selected.scrollIntoView({ block: 'nearest' }); sv.scrollToAt = false; }
    }

    function renderEmotes(emotes) {
      const max = emotes.reduce((m, e) => Math.max(m, isNum(e.windows) ? e.windows : 0), 0) || 1;
      $('emotes').replaceChildren(...emotes.map((e) => {
        const fill = el('span', { cls: 'fill' });
        fill.style.width = ((isNum(e.windows) ? e.windows : 0) / max * 100).toFixed(1) + '%';
        return el('li', {}, el('span', { cls: 'emote', text: e.emote, title: e.emote }),
          el('span', { cls: 'bar' }, fill),
          el('span', { cls: 'num muted', text: fmtNum(e.windows), title: 'windows in which it was a top emote' }));
      }));
      $('emotes-empty').hidden = emotes.length > 0;
    }

    // ---------- wiring ----------

    const loader = makeLoader(load);

    onRangeClick((r) => {
      Object.assign(sv, { mode: r, from: null, to: null, at: null });
      syncRangeUi();
      go(streamHref(sv.id, 'range=' + r));
    });

    $('custom').addEventListener('submit', (e) => {
      e.preventDefault();
      // datetime-local has no zone: the inputs are labelled UTC, so append Z
      const from = Date.parse($('from-input').value + 'Z'), to = Date.parse($('to-input').value + 'Z');
      const msg = $('custom-msg');
      if (!isNum(from) || !isNum(to) || from >= to) { msg.textContent = '“from” must be before “to”'; return; }
      msg.textContent = '';
      setCustom(from, to, sv.at != null && sv.at >= from && sv.at <= to);
    });

    window.addEventListener('popstate', () => { readUrl(); loader.now(); });

    // resize charts with their column, debounced (setSize is cheap, but not per resize event).
    // ResizeObserver also catches width changes a window resize doesn't (scrollbar, sidebar wrap).
    let resizeTimer = 0;
    const onResize = () => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => {
        for (const c of sv.charts) {
          const w = c.plot.clientWidth;
          if (w && w !== c.u.width) c.u.setSize({ width: w, height: c.def.height });
        }
      }, 150);
    };
    if ('ResizeObserver' in window) new ResizeObserver(onResize).observe($('charts'));
    else window.addEventListener('resize', onResize);

    readUrl();
    sv.charts = CHARTS.map(makeChart);   // created once; updates go through setData
    renderLag();
    setInterval(renderLag, 1000);
    loader.now();
    // live: re-fetch with the same range (a past custom range stays where it is)
    connectLive(() => loader.live());
  }

  function main() {
    const page = document.body.dataset.page;
    if (page === 'overview') overviewPage();
    else if (page === 'stream') streamPage();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', main);
  else main();
})();
