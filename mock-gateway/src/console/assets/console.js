// The paysign gateway console (docs/console.md): one page, one view per location hash,
// every value from the admin API through /console/api/ with the session cookie.
//
// Every value reaches the page through textContent or an attribute set by the DOM, never
// as HTML: a merchant name like <img onerror=…> stays text. State-changing requests carry
// the session's CSRF token (the meta tag the server filled in) in X-CSRF-Token.
'use strict';

const csrfToken = document.querySelector('meta[name="csrf-token"]').content;
const main = document.getElementById('main');
const errorLine = document.getElementById('error');
let charts = [];

/** An element with attributes (`on*` take functions) and children (strings become text). */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Calls the admin API; throws Error(`CODE: message`) on an error answer. */
async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  if (method !== 'GET') {
    headers['x-csrf-token'] = csrfToken;
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(`/console/api/${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    window.location.assign('/console/login');
    throw new Error('CONSOLE_SESSION_INVALID: log in again');
  }
  const text = await response.text();
  const json = text === '' ? null : JSON.parse(text);
  if (!response.ok) throw new Error(`${json?.code ?? response.status}: ${json?.message ?? ''}`);
  return json;
}

/** Fen (integer or string) as yuan with two decimals. */
function yuan(fen) {
  if (fen === undefined || fen === null || fen === '') return '';
  const n = BigInt(fen);
  const sign = n < 0n ? '-' : '';
  const abs = n < 0n ? -n : n;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

/** Unix seconds as +08:00 local time (the gateway's business time zone). */
function when(unix) {
  if (unix === undefined || unix === null) return '';
  const d = new Date((Number(unix) + 8 * 3600) * 1000);
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} +08:00`;
}

const link = (hash, text) => el('a', { href: hash }, text);

/** A table of `rows` with `columns` ([title, value(row), class?]) and a search box. */
function searchableTable(rows, columns, what) {
  const search = el('input', { class: 'search', type: 'search', placeholder: `Search ${what}…`, 'aria-label': `Search ${what}` });
  const body = el('tbody');
  const table = el('table', { 'data-list': what },
    el('thead', {}, el('tr', {}, columns.map(([title]) => el('th', {}, title)))), body);
  const draw = () => {
    const needle = search.value.trim().toLowerCase();
    body.replaceChildren();
    for (const row of rows) {
      if (needle && !JSON.stringify(row).toLowerCase().includes(needle)) continue;
      body.append(el('tr', {}, columns.map(([, value, cls]) => el('td', { class: cls }, value(row)))));
    }
  };
  search.addEventListener('input', draw);
  draw();
  return [search, table, el('p', {}, `${rows.length} ${what}`)];
}

/** An object as a two-column table; arrays of objects become tables of their own. */
function detailTable(object, hidden = []) {
  const rows = [];
  const nested = [];
  for (const [key, value] of Object.entries(object)) {
    if (hidden.includes(key)) continue;
    if (Array.isArray(value) && value.some((v) => v && typeof v === 'object')) {
      nested.push([key, value]);
      continue;
    }
    const shown = value && typeof value === 'object' ? JSON.stringify(value) : value;
    rows.push(el('tr', {}, el('th', {}, key), el('td', { 'data-field': key }, shown === null ? '' : String(shown))));
  }
  const out = [el('table', { class: 'detail' }, el('tbody', {}, rows))];
  for (const [key, list] of nested) {
    const keys = [...new Set(list.flatMap((item) => Object.keys(item)))];
    out.push(el('h2', {}, key));
    out.push(el('table', { 'data-list': key },
      el('thead', {}, el('tr', {}, keys.map((k) => el('th', {}, k)))),
      el('tbody', {}, list.map((item) => el('tr', {}, keys.map((k) => {
        const v = item[k];
        return el('td', {}, v && typeof v === 'object' ? JSON.stringify(v) : v ?? '');
      }))))));
  }
  return out;
}

function show(page, title, ...content) {
  for (const chart of charts) chart.destroy();
  charts = [];
  main.dataset.page = page;
  main.replaceChildren(el('h1', {}, title), ...content.flat());
  for (const a of document.querySelectorAll('#nav a')) {
    a.classList.toggle('active', location.hash.startsWith(a.getAttribute('href')));
  }
}

// ---------- pages ----------

const CHANNEL_COLOURS = ['#2f6fde', '#e07b22', '#2a9d5b', '#b23a8c', '#6b7280'];

async function dashboard() {
  const [stats, merchants, orders, deductions, payouts, events] = await Promise.all([
    api('GET', 'channel-stats'), api('GET', 'merchants'), api('GET', 'orders'),
    api('GET', 'deductions'), api('GET', 'payouts'), api('GET', 'notifications'),
  ]);
  const count = (list, status) => list.filter((x) => x.status === status).length;
  const cards = el('div', { class: 'cards' }, [
    ['Merchants', merchants.merchants.length, 'merchants'],
    ['Orders', orders.orders.length, 'orders'],
    ['Deductions', deductions.deductions.length, 'deductions'],
    ['Deductions succeeded', count(deductions.deductions, 'SUCCESS'), 'deductions-success'],
    ['Payouts', payouts.payouts.length, 'payouts'],
    ['Notifications given up', events.notifications.filter((n) => n.state === 'GAVE_UP').length, 'gave-up'],
  ].map(([label, value, key]) => el('div', { class: 'card', 'data-card': key }, el('b', {}, value), label)));

  const channels = [...new Set([...stats.calls.map((c) => c.channel_id), ...stats.volumes.map((v) => v.channel_id)])].sort();
  const volumeDays = [...new Set(stats.volumes.map((v) => v.business_day))].sort();
  const callDays = [...new Set(stats.calls.map((c) => c.day))].sort();
  const volume = document.createElement('canvas');
  const rate = document.createElement('canvas');
  const outcomes = document.createElement('canvas');
  const totals = {};
  for (const c of stats.calls) totals[c.result] = (totals[c.result] ?? 0) + c.count;
  show('dashboard', 'Dashboard', cards, el('div', { class: 'charts' },
    el('div', { class: 'chart' }, el('h2', {}, 'Volume per channel (yuan per business day)'), volume),
    el('div', { class: 'chart' }, el('h2', {}, 'Success rate per channel (accepted calls, % per day)'), rate),
    el('div', { class: 'chart' }, el('h2', {}, 'Channel call outcomes'), outcomes)),
  el('table', { 'data-list': 'outcomes' }, el('tbody', {}, Object.entries(totals).map(([result, n]) =>
    el('tr', {}, el('th', {}, result), el('td', { class: 'num' }, n))))));
  const animation = false; // screenshots and tests see the final picture at once
  charts.push(new Chart(volume, {
    type: 'bar',
    data: {
      labels: volumeDays,
      datasets: channels.map((channel, i) => ({
        label: channel,
        backgroundColor: CHANNEL_COLOURS[i % CHANNEL_COLOURS.length],
        data: volumeDays.map((day) => {
          const v = stats.volumes.find((x) => x.channel_id === channel && x.business_day === day);
          return v ? Number(v.amount) / 100 : 0;
        }),
      })),
    },
    options: { animation },
  }));
  charts.push(new Chart(rate, {
    type: 'line',
    data: {
      labels: callDays,
      datasets: channels.map((channel, i) => ({
        label: channel,
        borderColor: CHANNEL_COLOURS[i % CHANNEL_COLOURS.length],
        data: callDays.map((day) => {
          const calls = stats.calls.filter((c) => c.channel_id === channel && c.day === day);
          const all = calls.reduce((n, c) => n + c.count, 0);
          const accepted = calls.filter((c) => c.result === 'ACCEPTED').reduce((n, c) => n + c.count, 0);
          return all === 0 ? null : Math.round((accepted * 1000) / all) / 10;
        }),
      })),
    },
    options: { animation, scales: { y: { min: 0, max: 100 } } },
  }));
  charts.push(new Chart(outcomes, {
    type: 'pie',
    data: {
      labels: Object.keys(totals),
      datasets: [{ data: Object.values(totals), backgroundColor: Object.keys(totals).map((_, i) => ['#2a9d5b', '#b00020', '#e07b22', '#6b7280', '#2f6fde'][i % 5]) }],
    },
    options: { animation },
  }));
  document.body.dataset.rendered = 'dashboard';
}

async function merchantsPage() {
  const { merchants } = await api('GET', 'merchants');
  show('merchants', 'Merchants', searchableTable(merchants, [
    ['App id', (m) => link(`#/merchants/${encodeURIComponent(m.app_id)}`, m.app_id)],
    ['Name', (m) => m.name],
    ['Status', (m) => m.status],
    ['Sign types', (m) => m.sign_types.join(', ')],
    ['Key fingerprint', (m) => m.public_key_fingerprint ?? ''],
    ['Created', (m) => when(m.created_at)],
  ], 'merchants'));
}

async function merchantPage(appId) {
  const m = await api('GET', `merchants/${encodeURIComponent(appId)}`);
  // Keys only as fingerprints: the PEM stays out of the page; a SECRET never leaves the gateway.
  show('merchant', `Merchant ${m.app_id}`, detailTable({ ...m, has_secret: m.has_secret ? 'yes (never shown)' : 'no' }, ['public_key']));
}

async function ordersPage() {
  const { orders } = await api('GET', 'orders');
  show('orders', 'Orders', searchableTable(orders, [
    ['Trade no', (o) => link(`#/orders/${encodeURIComponent(o.trade_no)}`, o.trade_no)],
    ['Merchant order', (o) => o.out_trade_no],
    ['App id', (o) => o.app_id],
    ['Bill', (o) => o.bill_no],
    ['Amount (yuan)', (o) => yuan(o.total_amount), 'num'],
    ['Status', (o) => o.status],
    ['Created', (o) => when(o.create_time)],
  ], 'orders'));
}

async function detailPage(kind, path, title) {
  const v = await api('GET', path);
  show(kind, title, detailTable(v));
}

async function agreementsPage() {
  const { agreements } = await api('GET', 'agreements');
  show('agreements', 'Agreements', searchableTable(agreements, [
    ['Agreement no', (a) => link(`#/agreements/${encodeURIComponent(a.agreement_no)}`, a.agreement_no)],
    ['App id', (a) => a.app_id],
    ['Payer', (a) => a.payer_name],
    ['Card', (a) => a.card_mask],
    ['Status', (a) => a.status],
    ['Created', (a) => when(a.create_time)],
  ], 'agreements'));
}

async function deductionsPage() {
  const { deductions } = await api('GET', 'deductions');
  show('deductions', 'Deductions', searchableTable(deductions, [
    ['Deduction no', (d) => link(`#/deductions/${encodeURIComponent(d.deduction_no)}`, d.deduction_no)],
    ['Agreement', (d) => d.agreement_no],
    ['Amount (yuan)', (d) => yuan(d.amount), 'num'],
    ['Channel', (d) => d.channel_id ?? ''],
    ['Status', (d) => d.status],
    ['Created', (d) => when(d.create_time)],
  ], 'deductions'));
}

async function payoutsPage() {
  const { payouts } = await api('GET', 'payouts');
  show('payouts', 'Payouts', searchableTable(payouts, [
    ['Payout no', (p) => link(`#/payouts/${encodeURIComponent(p.payout_no)}`, p.payout_no)],
    ['Payee', (p) => p.payee_name],
    ['Account', (p) => p.account_mask],
    ['Amount (yuan)', (p) => yuan(p.amount), 'num'],
    ['Channel', (p) => p.channel_id ?? ''],
    ['Status', (p) => p.status],
  ], 'payouts'));
}

async function notificationsPage() {
  const { notifications } = await api('GET', 'notifications');
  show('notifications', 'Notifications', searchableTable([...notifications].reverse(), [
    ['Notify id', (n) => link(`#/notifications/${encodeURIComponent(n.notify_id)}`, n.notify_id)],
    ['Trade no', (n) => n.trade_no],
    ['Status reported', (n) => n.trade_status],
    ['State', (n) => n.state],
    ['Attempts', (n) => n.attempts.length, 'num'],
    ['Next attempt', (n) => when(n.next_attempt_at)],
  ], 'notifications'));
}

async function notificationPage(notifyId) {
  const query = new URLSearchParams({ notify_id: notifyId });
  const { notifications } = await api('GET', `notifications?${query}`);
  const n = notifications[0];
  if (!n) throw new Error(`NOTIFICATION_NOT_FOUND: no notification ${notifyId}`);
  const status = el('span', { id: 'resend-status' });
  const resend = el('button', {
    id: 'resend',
    type: 'button',
    onclick: async () => {
      resend.disabled = true;
      try {
        const answer = await api('POST', `notifications/${encodeURIComponent(notifyId)}/resend`);
        const last = answer.notification.attempts.at(-1);
        await notificationPage(notifyId);
        document.getElementById('resend-status').textContent = `sent: attempt ${last?.attempt} ${last?.result}`;
      } catch (e) {
        fail(e);
      }
    },
  }, 'Resend now');
  // Held back, so the events after it arrive first (out of order); a resend releases it.
  const hold = n.state === 'PENDING' ? el('button', {
    id: 'hold',
    type: 'button',
    onclick: async () => {
      try {
        await api('POST', `notifications/${encodeURIComponent(notifyId)}/hold`);
        await notificationPage(notifyId);
        document.getElementById('resend-status').textContent = 'held';
      } catch (e) {
        fail(e);
      }
    },
  }, 'Hold back') : '';
  show('notification', `Notification ${n.notify_id}`, el('p', {}, resend, ' ', hold, ' ', status), detailTable(n));
}

async function exceptionsPage() {
  const { open, resolved } = await api('GET', 'exceptions');
  const settle = (x) => {
    const outcome = el('select', { 'aria-label': `${x.ref_no} outcome`, 'data-outcome': x.ref_no },
      el('option', { value: 'SUCCESS' }, 'SUCCESS (money moved)'), el('option', { value: 'FAIL' }, 'FAIL (nothing moved)'));
    const note = el('input', { type: 'text', maxlength: 500, placeholder: 'how it was confirmed', 'aria-label': `${x.ref_no} note`, 'data-note': x.ref_no });
    const button = el('button', {
      type: 'button',
      'data-resolve': x.ref_no,
      onclick: async () => {
        try {
          await api('POST', `exceptions/${encodeURIComponent(x.kind)}/${encodeURIComponent(x.ref_no)}/resolve`, {
            outcome: outcome.value,
            note: note.value,
          });
          await exceptionsPage();
          document.getElementById('exceptions-status').textContent = `${x.ref_no} resolved`;
        } catch (e) {
          fail(e);
        }
      },
    }, 'Resolve');
    return el('span', { class: 'inline' }, outcome, ' ', note, ' ', button);
  };
  show('exceptions', 'Exception queue', el('p', { id: 'exceptions-status', class: 'ok' }),
    el('h2', {}, 'Open (MANUAL_REVIEW)'),
    searchableTable(open, [
      ['Kind', (x) => x.kind],
      ['Number', (x) => link(`#/${x.kind === 'ORDER' ? 'orders' : `${x.kind.toLowerCase()}s`}/${encodeURIComponent(x.ref_no)}`, x.ref_no)],
      ['Merchant no', (x) => x.out_no],
      ['App id', (x) => x.app_id],
      ['Amount (yuan)', (x) => yuan(x.amount), 'num'],
      ['Created', (x) => when(x.create_time)],
      ['Resolve', settle],
    ], 'open exceptions'),
    el('h2', {}, 'Resolved'),
    searchableTable(resolved, [
      ['Kind', (r) => r.kind],
      ['Number', (r) => r.ref_no],
      ['Outcome', (r) => (r.fail_code ? `${r.outcome} (${r.fail_code})` : r.outcome)],
      ['Note', (r) => r.note],
      ['At', (r) => when(r.at)],
    ], 'resolved exceptions'));
}

async function statementsPage() {
  const [{ merchants }, clock] = await Promise.all([api('GET', 'merchants'), api('GET', 'clock')]);
  // Yesterday's business day by the gateway clock: the latest one that has surely ended.
  const yesterday = new Date((Number(clock.now) + 8 * 3600 - 86400) * 1000).toISOString().slice(0, 10);
  const merchant = el('select', { 'aria-label': 'merchant', id: 'statement-merchant' },
    merchants.map((m) => el('option', { value: m.app_id }, `${m.app_id} ${m.name}`)));
  const day = el('input', { type: 'date', value: yesterday, 'aria-label': 'business day', id: 'statement-day' });
  const kind = el('select', { 'aria-label': 'statement kind', id: 'statement-kind' },
    ['TRANSACTION', 'FUND', 'COLLECTION'].map((k) => el('option', { value: k }, k)));
  const preview = el('pre', { id: 'statement-preview' });
  const download = el('a', { id: 'statement-download' }, 'Download CSV');
  const path = () => `statements/${encodeURIComponent(merchant.value)}/${encodeURIComponent(day.value)}/${kind.value}`;
  const load = async () => {
    download.setAttribute('href', `/console/api/${path()}`);
    download.setAttribute('download', `statement-${merchant.value}-${day.value}-${kind.value}.csv`);
    preview.textContent = '';
    try {
      const response = await fetch(`/console/api/${path()}`, { credentials: 'same-origin' });
      const text = await response.text();
      if (!response.ok) throw new Error(text);
      preview.textContent = text;
      document.getElementById('statement-sha').textContent = `sha256 ${response.headers.get('x-statement-sha256')}`;
    } catch (e) {
      fail(e);
    }
  };
  const show_ = el('button', { type: 'button', id: 'statement-show', onclick: load }, 'Show');
  show('statements', 'Statements', el('p', { class: 'inline' }, merchant, ' ', day, ' ', kind, ' ', show_, ' ', download),
    el('p', { id: 'statement-sha' }), preview);
}

async function channelsPage() {
  const { channels } = await api('GET', 'channels');
  const editor = (c) => {
    const rate = el('input', { type: 'number', min: 0, max: 100, step: 0.01, value: c.success_rate_bps / 100, 'aria-label': `${c.channel_id} success rate %`, 'data-rate': c.channel_id });
    const outage = el('select', { 'aria-label': `${c.channel_id} outage`, 'data-outage': c.channel_id },
      el('option', { value: 'off', selected: !c.outage }, 'up'), el('option', { value: 'on', selected: c.outage }, 'outage'));
    const save = el('button', {
      type: 'button',
      'data-save': c.channel_id,
      onclick: async () => {
        try {
          await api('PUT', `channels/${encodeURIComponent(c.channel_id)}`, {
            outage: outage.value === 'on',
            success_rate_bps: Math.round(Number(rate.value) * 100),
          });
          await channelsPage();
          document.getElementById('channels-status').textContent = `${c.channel_id} saved`;
        } catch (e) {
          fail(e);
        }
      },
    }, 'Save');
    return el('span', { class: 'inline' }, rate, '% ', outage, ' ', save);
  };
  show('channels', 'Channels', el('p', { id: 'channels-status', class: 'ok' }), searchableTable(channels, [
    ['Channel', (c) => c.channel_id],
    ['Name', (c) => c.name],
    ['State', (c) => (c.outage ? 'DOWN' : 'up')],
    ['Health', (c) => (c.healthy ? 'healthy' : 'unhealthy')],
    ['Recent calls', (c) => `${c.recent_accepted}/${c.recent_calls}`, 'num'],
    ['Position (yuan)', (c) => yuan(c.position), 'num'],
    ['Fee (bps)', (c) => c.fee_bps, 'num'],
    ['Maintenance', (c) => (c.maintenance_start ? `${c.maintenance_start}-${c.maintenance_end}` : '')],
    ['Success rate / outage', editor],
  ], 'channels'));
}

/** Buttons that act as a sandbox's payer (POST to the admin API), then redraw the page. */
function payerButtons(kind, id, path, actions) {
  return el('span', { class: 'inline' }, actions.map(([action, label]) => el('button', {
    type: 'button',
    [`data-${kind}`]: `${id}:${action}`,
    onclick: async () => {
      try {
        await api('POST', `${path}/${action}`);
        await sandboxesPage();
        document.getElementById('sandboxes-status').textContent = `${id} ${action}`;
      } catch (e) {
        fail(e);
      }
    },
  }, label)));
}

async function sandboxesPage() {
  const [{ alipay_trades: trades }, { wechatpay_transactions: orders }] = await Promise.all([
    api('GET', 'alipay/trades'),
    api('GET', 'wechatpay/transactions'),
  ]);
  const alipayActions = (t) => (t.trade_status === 'WAIT_BUYER_PAY'
    ? payerButtons('alipay', t.trade_no, `alipay/trades/${encodeURIComponent(t.trade_no)}`, [['pay', 'Pay'], ['abandon', 'Abandon']])
    : '');
  const wechatActions = (o) => (['NOTPAY', 'USERPAYING'].includes(o.trade_state)
    ? payerButtons('wechatpay', o.out_trade_no, `wechatpay/transactions/${encodeURIComponent(o.mchid)}/${encodeURIComponent(o.out_trade_no)}`,
      [['pay', 'Pay'], ['pending', 'Keep paying'], ['fail', 'Fail'], ['abandon', 'Abandon']])
    : '');
  show('sandboxes', 'Sandboxes', el('p', { id: 'sandboxes-status', class: 'ok' }),
    el('h2', {}, 'Alipay trades'),
    searchableTable(trades, [
      ['Trade', (t) => t.trade_no],
      ['App', (t) => t.app_id],
      ['Out trade no', (t) => t.out_trade_no],
      ['Amount (yuan)', (t) => yuan(t.total_amount), 'num'],
      ['Status', (t) => t.trade_status],
      ['Refunded (yuan)', (t) => yuan(t.refunded_amount), 'num'],
      ['Created', (t) => when(t.create_time)],
      ['Payer', alipayActions],
    ], 'alipay-trades'),
    el('h2', {}, 'WeChat Pay orders'),
    searchableTable(orders, [
      ['Merchant', (o) => o.mchid],
      ['Out trade no', (o) => o.out_trade_no],
      ['Type', (o) => o.trade_type],
      ['Amount (yuan)', (o) => yuan(o.total), 'num'],
      ['State', (o) => o.trade_state],
      ['Transaction', (o) => o.transaction_id ?? ''],
      ['Created', (o) => when(o.create_time)],
      ['Payer', wechatActions],
    ], 'wechatpay-orders'));
}

async function clockPage() {
  const clock = await api('GET', 'clock');
  const move = (secs) => async () => {
    try {
      const answer = await api('POST', 'clock', { advance_secs: secs });
      await clockPage();
      document.getElementById('clock-status').textContent = `moved; ${answer.jobs_run} jobs ran`;
    } catch (e) {
      fail(e);
    }
  };
  show('clock', 'Clock', detailTable(clock), el('p', {}, [['+1 min', 60], ['+1 hour', 3600], ['+1 day', 86400]].map(([label, secs]) =>
    el('button', { type: 'button', 'data-advance': secs, onclick: move(secs) }, label))),
  el('p', { id: 'clock-status', class: 'ok' }));
}

const ROUTES = [
  [/^#\/merchants\/(.+)$/, (id) => merchantPage(id)],
  [/^#\/merchants$/, merchantsPage],
  [/^#\/orders\/(.+)$/, (id) => detailPage('order', `orders/${encodeURIComponent(id)}`, `Order ${id}`)],
  [/^#\/orders$/, ordersPage],
  [/^#\/agreements\/(.+)$/, (id) => detailPage('agreement', `agreements/${encodeURIComponent(id)}`, `Agreement ${id}`)],
  [/^#\/agreements$/, agreementsPage],
  [/^#\/deductions\/(.+)$/, (id) => detailPage('deduction', `deductions/${encodeURIComponent(id)}`, `Deduction ${id}`)],
  [/^#\/deductions$/, deductionsPage],
  [/^#\/payouts\/(.+)$/, (id) => detailPage('payout', `payouts/${encodeURIComponent(id)}`, `Payout ${id}`)],
  [/^#\/payouts$/, payoutsPage],
  [/^#\/notifications\/(.+)$/, (id) => notificationPage(id)],
  [/^#\/notifications$/, notificationsPage],
  [/^#\/exceptions$/, exceptionsPage],
  [/^#\/statements$/, statementsPage],
  [/^#\/channels$/, channelsPage],
  [/^#\/sandboxes$/, sandboxesPage],
  [/^#\/clock$/, clockPage],
];

function fail(e) {
  errorLine.textContent = e.message;
}

async function route() {
  errorLine.textContent = '';
  delete document.body.dataset.rendered;
  try {
    const hash = location.hash || '#/dashboard';
    const found = ROUTES.find(([pattern]) => pattern.test(hash));
    if (found) {
      const [, arg] = found[0].exec(hash);
      await found[1](arg === undefined ? undefined : decodeURIComponent(arg));
      document.body.dataset.rendered = main.dataset.page;
    } else {
      await dashboard();
    }
    const clock = await api('GET', 'clock');
    document.getElementById('now').textContent = `gateway clock ${clock.now_rfc3339} (${clock.mode})`;
  } catch (e) {
    fail(e);
  }
}

document.getElementById('logout').addEventListener('click', async () => {
  await fetch('/console/logout', { method: 'POST', headers: { 'x-csrf-token': csrfToken }, credentials: 'same-origin' });
  window.location.assign('/console/login');
});
window.addEventListener('hashchange', route);
route();
