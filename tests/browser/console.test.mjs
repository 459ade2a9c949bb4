// The gateway console (docs/console.md) in headless Chromium against the real
// `paysign gateway` binary: login refused without or with a wrong admin token, each page
// rendering data the test created through the signed and admin APIs, a notification resend
// and a channel outage done from the page changing the gateway's state (checked through the
// admin API), a sandbox trade paid and an order failed from the Sandboxes page and a
// notification held back, the dashboard's screenshot saved (target/console/, and with
// PAYSIGN_UPDATE_SCREENSHOTS=1 docs/images/console-dashboard.png). Also: the vendored
// Chart.js is byte for byte the npm package's.
//
// Run with: cargo build -p paysign-cli && make wasm && npm ci && node --test tests/browser/console.test.mjs
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { Signer, buildRequest } from 'paysign';
import { binary, startGateway } from '../node/gateway.mjs';
import { readText, root } from '../node/vectors.mjs';
import { launchChromium } from './chromium.mjs';

const START = 1795140000; // 2026-11-20T10:00:00+08:00
// A Luhn-valid card ending 28: the simulated bank debits it (docs/collection.md).
const CARD = '6222021234567890128';
const skip = process.env.PAYSIGN_SKIP_BROWSER === '1' && 'PAYSIGN_SKIP_BROWSER=1';

describe('the vendored Chart.js', () => {
  it('is the npm package chart.js, byte for byte', () => {
    const vendored = fs.readFileSync(path.join(root, 'mock-gateway/src/console/assets/vendor/chart.umd.min.js'));
    const installed = fs.readFileSync(path.join(root, 'node_modules/chart.js/dist/chart.umd.min.js'));
    assert.ok(vendored.equals(installed), 'update mock-gateway/src/console/assets/vendor/ from node_modules/chart.js/dist/');
    const version = JSON.parse(fs.readFileSync(path.join(root, 'node_modules/chart.js/package.json'), 'utf8')).version;
    assert.equal(version, JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).devDependencies['chart.js']);
    assert.ok(vendored.toString('utf8', 0, 200).includes(`Chart.js v${version}`));
    const licence = fs.readFileSync(path.join(root, 'mock-gateway/src/console/assets/vendor/chart.js.LICENSE'));
    assert.ok(licence.equals(fs.readFileSync(path.join(root, 'node_modules/chart.js/LICENSE.md'))));
  });
});

describe('the gateway console in headless Chromium', { skip }, () => {
  let gateway;
  let browser;
  let page;
  let appId;
  let tradeNo;
  let notifyId;
  let agreementNo;
  let deductionNo;
  const problems = [];

  before(async () => {
    gateway = await startGateway({ start: START });
    const { admin } = gateway;
    ({ app_id: appId } = await admin('POST', 'merchants', {
      name: '<b>控制台</b> merchant', notify_url: 'http://127.0.0.1:9/notify', public_key: readText('keys/merchant_public_spki.pem'),
    }));
    await admin('POST', `merchants/${appId}/approve`);
    // One paid order, notified to a port where nobody listens: its event is given up.
    const signer = new Signer({ profile: 'paysign', signType: 'RSA2', privateKey: readText('keys/merchant_private_pkcs8.pem') });
    const call = async (method, fields) => {
      const request = buildRequest(method, fields, { appId, signer, timestamp: START });
      const response = await fetch(`${gateway.base}${request.path}`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: request.toForm(),
      });
      const json = await response.json();
      assert.equal(json.code, 'SUCCESS', JSON.stringify(json));
      return json;
    };
    ({ trade_no: tradeNo } = await call('order.create', {
      outTradeNo: 'CONSOLE0001', itemId: 'SH-WATER-01', billNo: 'SHW2026110042', totalAmount: 6754, notifyUrl: 'http://127.0.0.1:9/notify',
    }));
    await call('order.pay', { outTradeNo: 'CONSOLE0001' });
    // Collection and payouts, signed by `paysign payload` (the JS package does not build
    // these requests): traffic on the channels for the dashboard's charts.
    const signed = async (now, kind, args) => {
      const payload = JSON.parse(execFileSync(binary, [
        '--json', 'payload', kind, '--key', path.join(root, 'tests/vectors/keys/merchant_private_pkcs8.pem'),
        '--app-id', appId, '--now', String(now), ...args,
      ], { stdio: ['ignore', 'pipe', 'ignore'] }));
      const response = await fetch(`${gateway.base}${payload.path}`, {
        method: 'POST', headers: { 'content-type': payload.content_type }, body: payload.body,
      });
      const text = await response.text();
      assert.equal(response.status, 200, text);
      return JSON.parse(text);
    };
    const notifyUrl = 'http://127.0.0.1:9/notify';
    const payout = (now, n, account, amount) => signed(now, 'payout', [
      '--out-payout-no', `CONSOLEPO${n}`, '--account-no', account, '--amount', amount, '--notify-url', notifyUrl,
    ]);
    ({ agreement_no: agreementNo } = await signed(START, 'agreement', [
      '--out-agreement-no', 'AGCONSOLE1', '--payer-name', '王芳', '--card-no', CARD, '--notify-url', notifyUrl,
    ]));
    const { sms_code: smsCode } = await admin('GET', `agreements/${agreementNo}`);
    await signed(START, 'agreement-confirm', ['--agreement-no', agreementNo, '--sms-code', smsCode]);
    ({ deduction_no: deductionNo } = await signed(START, 'deduction', [
      '--agreement-no', agreementNo, '--out-deduction-no', 'DDCONSOLE1', '--amount', '300.00',
    ]));
    // The fourth payout's account (ending 92) leaves its outcome unknown on every poll: it
    // ends in the exception queue.
    for (const [n, account, amount] of [[1, '6217000012344567', '1200.00'], [2, '6217000012344500', '350.00'], [3, '6217000012344501', '80.00'], [4, '6217000012344592', '20.00']]) {
      await payout(START, n, account, amount);
    }
    // The next day CH-BANK is down: the router fails over to CH-EPAY, and the charts show
    // two channels, two days and the failed calls.
    await admin('POST', 'clock', { advance_secs: 86400 });
    await admin('PUT', 'channels/CH-BANK', { outage: true });
    for (const [n, account, amount] of [[5, '6217000012344510', '500.00'], [6, '6217000012344511', '260.00'], [7, '6217000012344512', '90.00']]) {
      await payout(START + 86400, n, account, amount);
    }
    await admin('PUT', 'channels/CH-BANK', { outage: false });
    await admin('POST', 'clock', { advance_secs: 86400 });
    [{ notify_id: notifyId }] = (await admin('GET', `notifications?trade_no=${tradeNo}`)).notifications;

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      // The refusals this test provokes (401, 403) are logged by Chromium as failed loads.
      if (m.type() === 'error' && !/status of 40[13]/.test(m.text())) problems.push(`console: ${m.text()}`);
    });
  });

  after(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  const rendered = (name) => page.waitForFunction((n) => document.body.dataset.rendered === n, name, { timeout: 20_000 });
  const go = async (hash, name) => {
    await page.evaluate((h) => { location.hash = h; }, hash);
    await rendered(name);
  };

  it('refuses a login without the admin token or with another one, and admin data without a session', async () => {
    await page.goto(`${gateway.base}/console/`);
    assert.equal(new URL(page.url()).pathname, '/console/login');
    await page.click('#login'); // the empty field: the browser does not even send it
    assert.equal(new URL(page.url()).pathname, '/console/login');
    await page.fill('#token', 'not-the-admin-token-0123');
    const [answer] = await Promise.all([page.waitForNavigation(), page.click('#login')]);
    assert.equal(answer.status(), 401);
    assert.match(await page.textContent('#message'), /ADMIN_TOKEN_INVALID/);
    // No session, no data: the API, the script and the page all refuse.
    const api = await page.request.get(`${gateway.base}/console/api/merchants`);
    assert.equal(api.status(), 401);
    assert.equal((await api.json()).code, 'CONSOLE_SESSION_INVALID');
    assert.equal((await page.request.get(`${gateway.base}/console/assets/console.js`)).status(), 401);
    assert.equal((await page.request.get(`${gateway.base}/admin/merchants`)).status(), 401);
  });

  it('logs in with the admin token: a HttpOnly SameSite=Strict session cookie, the dashboard with its charts', async () => {
    await page.fill('#token', gateway.token);
    await Promise.all([page.waitForNavigation(), page.click('#login')]);
    await rendered('dashboard');
    const [cookie] = (await page.context().cookies()).filter((c) => c.name === 'paysign_console');
    assert.deepEqual([cookie.httpOnly, cookie.sameSite, cookie.path], [true, 'Strict', '/console']);
    assert.notEqual(cookie.value, gateway.token);
    assert.equal(await page.textContent('[data-card="merchants"] b'), '1');
    assert.equal(await page.textContent('[data-card="orders"] b'), '1');
    assert.equal(await page.textContent('[data-card="payouts"] b'), '7');
    assert.equal(await page.textContent('[data-card="deductions"] b'), '1');
    assert.equal(await page.textContent('[data-card="deductions-success"] b'), '1');
    const gaveUp = (await gateway.admin('GET', 'notifications?state=GAVE_UP')).notifications.length;
    assert.ok(gaveUp >= 1);
    assert.equal(await page.textContent('[data-card="gave-up"] b'), String(gaveUp));
    const calls = (await gateway.admin('GET', 'channel-stats')).calls.reduce((n, c) => n + c.count, 0);
    assert.ok(calls >= 3, 'the payouts called the channels');
    assert.equal(await page.locator('canvas').count(), 3);
    assert.equal(await page.evaluate(() => Object.keys(Chart.instances).length), 3);
    assert.match(await page.textContent('#now'), /2026-11-22T10:00:00\+08:00/);
    const shot = path.join(root, 'target/console/console-dashboard.png');
    fs.mkdirSync(path.dirname(shot), { recursive: true });
    await page.screenshot({ path: shot, fullPage: true });
    if (process.env.PAYSIGN_UPDATE_SCREENSHOTS === '1') {
      fs.copyFileSync(shot, path.join(root, 'docs/images/console-dashboard.png'));
    }
    assert.ok(fs.statSync(shot).size > 10_000);
  });

  it('lists merchants and shows one with its key as a fingerprint only, its name as text', async () => {
    await go('#/merchants', 'merchants');
    assert.match(await page.textContent('[data-list="merchants"]'), new RegExp(appId));
    await page.fill('input.search', 'no such merchant');
    assert.equal(await page.locator('[data-list="merchants"] tbody tr').count(), 0);
    await go(`#/merchants/${appId}`, 'merchant');
    assert.equal(await page.textContent('[data-field="name"]'), '<b>控制台</b> merchant');
    assert.equal(await page.locator('main b').count(), 0, 'the name is text, not markup');
    const fingerprint = (await gateway.admin('GET', `merchants/${appId}`)).public_key_fingerprint;
    assert.equal(await page.textContent('[data-field="public_key_fingerprint"]'), fingerprint);
    assert.equal(await page.locator('[data-field="public_key"]').count(), 0);
    assert.doesNotMatch(await page.textContent('main'), /BEGIN PUBLIC KEY/);
  });

  it('lists orders and shows one with its channel attempts', async () => {
    await go('#/orders', 'orders');
    const list = await page.textContent('[data-list="orders"]');
    assert.match(list, new RegExp(tradeNo));
    assert.match(list, /67\.54/);
    await go(`#/orders/${tradeNo}`, 'order');
    assert.equal(await page.textContent('[data-field="status"]'), 'SUCCESS');
    assert.equal(await page.textContent('[data-field="total_amount"]'), '6754');
    assert.match(await page.textContent('[data-list="channel_attempts"]'), /PAY/);
  });

  it('renders the collection lists from the gateway, and an agreement and a deduction in detail', async () => {
    for (const [hash, name] of [['#/agreements', 'agreements'], ['#/deductions', 'deductions'], ['#/payouts', 'payouts']]) {
      await go(hash, name);
      const expected = (await gateway.admin('GET', name))[name].length;
      assert.equal(await page.textContent('main p:last-child'), `${expected} ${name}`);
    }
    await go('#/agreements', 'agreements');
    const agreements = await page.textContent('[data-list="agreements"]');
    assert.match(agreements, new RegExp(agreementNo));
    assert.match(agreements, /ACTIVE/);
    await go(`#/agreements/${agreementNo}`, 'agreement');
    assert.equal(await page.textContent('[data-field="status"]'), 'ACTIVE');
    assert.equal(await page.textContent('[data-field="card_mask"]'), (await gateway.admin('GET', `agreements/${agreementNo}`)).card_mask);
    assert.doesNotMatch(await page.textContent('main'), new RegExp(CARD), 'the card number is never shown');
    await go('#/deductions', 'deductions');
    assert.match(await page.textContent('[data-list="deductions"]'), new RegExp(`${deductionNo}[\\s\\S]*300\\.00`));
    await go(`#/deductions/${deductionNo}`, 'deduction');
    assert.equal(await page.textContent('[data-field="status"]'), 'SUCCESS');
    assert.equal(await page.textContent('[data-field="out_deduction_no"]'), 'DDCONSOLE1');
  });

  it('resends a given-up notification from its page: one more attempt in the gateway', async () => {
    const before = (await gateway.admin('GET', `notifications?notify_id=${notifyId}`)).notifications[0];
    assert.equal(before.state, 'GAVE_UP');
    await go('#/notifications', 'notifications');
    assert.match(await page.textContent('[data-list="notifications"]'), new RegExp(notifyId));
    await go(`#/notifications/${notifyId}`, 'notification');
    assert.equal(await page.textContent('[data-field="state"]'), 'GAVE_UP');
    await page.click('#resend');
    await page.waitForFunction(() => document.getElementById('resend-status')?.textContent.startsWith('sent'), null, { timeout: 20_000 });
    const afterResend = (await gateway.admin('GET', `notifications?notify_id=${notifyId}`)).notifications[0];
    assert.equal(afterResend.attempts.length, before.attempts.length + 1);
    assert.equal(afterResend.attempts.at(-1).result, 'CONNECT_ERROR');
    assert.equal(afterResend.body, before.body, 'the same signed body, byte for byte');
  });

  it('puts a channel into an outage from the page, and back', async () => {
    // Save re-renders the page and then says so: wait for a status line of the new render,
    // since the one before says "saved" too (waiting on its text alone let the next test
    // navigate while this re-render was still on its way, and be drawn over).
    const saveBank = async () => {
      const before = await page.$('#channels-status');
      await page.click('[data-save="CH-BANK"]');
      await page.waitForFunction((old) => {
        const status = document.getElementById('channels-status');
        return status !== old && status?.textContent === 'CH-BANK saved';
      }, before, { timeout: 20_000 });
    };
    await go('#/channels', 'channels');
    await page.selectOption('[data-outage="CH-BANK"]', 'on');
    await page.fill('[data-rate="CH-BANK"]', '42.5');
    await saveBank();
    let bank = (await gateway.admin('GET', 'channels')).channels.find((c) => c.channel_id === 'CH-BANK');
    assert.deepEqual([bank.outage, bank.success_rate_bps], [true, 4250]);
    assert.match(await page.textContent('[data-list="channels"]'), /DOWN/);
    await page.selectOption('[data-outage="CH-BANK"]', 'off');
    await saveBank();
    bank = (await gateway.admin('GET', 'channels')).channels.find((c) => c.channel_id === 'CH-BANK');
    assert.equal(bank.outage, false);
  });

  it('moves the clock from the page', async () => {
    await go('#/clock', 'clock');
    await page.click('[data-advance="3600"]');
    await page.waitForFunction(() => document.getElementById('clock-status')?.textContent.startsWith('moved'), null, { timeout: 20_000 });
    assert.equal((await gateway.admin('GET', 'clock')).now, START + 2 * 86400 + 3600);
  });

  it('acts as the sandboxes\' payer: an Alipay trade paid and a WeChat Pay order failed from the Sandboxes page', async () => {
    // The merchant's calls, signed with node:crypto as the platforms' SDKs sign them.
    const privateKey = readText('keys/merchant_private_pkcs8.pem');
    const fields = {
      app_id: appId, method: 'alipay.trade.precreate', charset: 'utf-8', sign_type: 'RSA2', version: '1.0',
      timestamp: '2026-11-22 11:00:00', notify_url: 'http://127.0.0.1:9/ali',
      biz_content: JSON.stringify({ out_trade_no: 'CONSOLEALI001', total_amount: '19.90', subject: '水费' }),
    };
    const canonical = Object.keys(fields).sort().map((k) => `${k}=${fields[k]}`).join('&');
    const sign = crypto.sign('sha256', Buffer.from(canonical), privateKey).toString('base64');
    const created = await (await fetch(`${gateway.base}/alipay/gateway.do`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
      body: new URLSearchParams({ ...fields, sign }),
    })).json();
    assert.equal(created.alipay_trade_precreate_response.code, '10000', JSON.stringify(created));
    const { merchant_serial_no: serial } = await gateway.admin('GET', `wechatpay/merchants/${appId}`);
    const body = JSON.stringify({ appid: 'wxd678efh567hg6787', mchid: appId, description: '电费', out_trade_no: 'CONSOLEWX0001', notify_url: 'http://127.0.0.1:9/wx', amount: { total: 880 } });
    const timestamp = Math.floor(Date.now() / 1000);
    const nonce = crypto.randomBytes(16).toString('hex');
    const signature = crypto.sign('sha256', Buffer.from(`POST\n/v3/pay/transactions/native\n${timestamp}\n${nonce}\n${body}\n`), privateKey).toString('base64');
    const prepay = await fetch(`${gateway.base}/v3/pay/transactions/native`, {
      method: 'POST', body,
      headers: {
        'content-type': 'application/json',
        authorization: `WECHATPAY2-SHA256-RSA2048 mchid="${appId}",nonce_str="${nonce}",timestamp="${timestamp}",serial_no="${serial}",signature="${signature}"`,
      },
    });
    assert.equal(prepay.status, 200, await prepay.text());
    const { alipay_trades: [trade] } = await gateway.admin('GET', 'alipay/trades');
    assert.equal(trade.out_trade_no, 'CONSOLEALI001');

    await go('#/sandboxes', 'sandboxes');
    assert.match(await page.textContent('[data-list="alipay-trades"]'), /CONSOLEALI001/);
    assert.match(await page.textContent('[data-list="wechatpay-orders"]'), /CONSOLEWX0001/);
    await page.click(`[data-alipay="${trade.trade_no}:pay"]`);
    await page.waitForFunction((no) => document.getElementById('sandboxes-status')?.textContent === `${no} pay`, trade.trade_no, { timeout: 20_000 });
    assert.equal((await gateway.admin('GET', `alipay/trades/${trade.trade_no}`)).trade_status, 'TRADE_SUCCESS');
    await page.click('[data-wechatpay="CONSOLEWX0001:fail"]');
    await page.waitForFunction(() => document.getElementById('sandboxes-status')?.textContent === 'CONSOLEWX0001 fail', null, { timeout: 20_000 });
    assert.equal((await gateway.admin('GET', `wechatpay/transactions/${appId}/CONSOLEWX0001`)).trade_state, 'PAYERROR');
    // Done, the buttons are gone: a paid trade has no payer left.
    assert.equal(await page.locator(`[data-alipay="${trade.trade_no}:pay"]`).count(), 0);

    // The trade's notification, held back from its page (out of order), then resent.
    const [note] = (await gateway.admin('GET', `notifications?trade_no=${trade.trade_no}`)).notifications;
    await go(`#/notifications/${note.notify_id}`, 'notification');
    await page.click('#hold');
    await page.waitForFunction(() => document.getElementById('resend-status')?.textContent === 'held', null, { timeout: 20_000 });
    assert.equal((await gateway.admin('GET', `notifications?notify_id=${note.notify_id}`)).notifications[0].state, 'HELD');
  });

  it('refuses a state change without the CSRF token, even with the session', async () => {
    const refused = await page.evaluate(async () => {
      const r = await fetch('/console/api/clock', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"advance_secs":60}' });
      return [r.status, (await r.json()).code];
    });
    assert.deepEqual(refused, [403, 'CONSOLE_CSRF_INVALID']);
    assert.equal((await gateway.admin('GET', 'clock')).now, START + 2 * 86400 + 3600);
  });

  it('settles an exception from the queue with a note: the payout fails and its position comes back', async () => {
    const [open] = (await gateway.admin('GET', 'exceptions')).open;
    assert.equal(open.kind, 'PAYOUT');
    assert.equal(open.out_no, 'CONSOLEPO4');
    const positionBefore = (await gateway.admin('GET', 'channels')).channels.reduce((n, c) => n + Number(c.position), 0);
    await go('#/exceptions', 'exceptions');
    assert.match(await page.textContent('[data-list="open exceptions"]'), new RegExp(open.ref_no));
    await page.selectOption(`[data-outcome="${open.ref_no}"]`, 'FAIL');
    await page.fill(`[data-note="${open.ref_no}"]`, '<i>渠道</i> confirmed nothing was paid');
    await page.click(`[data-resolve="${open.ref_no}"]`);
    await page.waitForFunction((no) => document.getElementById('exceptions-status')?.textContent === `${no} resolved`, open.ref_no, { timeout: 20_000 });
    const queue = await gateway.admin('GET', 'exceptions');
    assert.deepEqual(queue.open, []);
    assert.deepEqual([queue.resolved[0].ref_no, queue.resolved[0].outcome, queue.resolved[0].note], [open.ref_no, 'FAIL', '<i>渠道</i> confirmed nothing was paid']);
    assert.equal((await gateway.admin('GET', `payouts/${open.ref_no}`)).status, 'FAIL');
    const positionAfter = (await gateway.admin('GET', 'channels')).channels.reduce((n, c) => n + Number(c.position), 0);
    assert.equal(positionAfter, positionBefore + 2000);
    assert.match(await page.textContent('[data-list="resolved exceptions"]'), /<i>渠道<\/i> confirmed/);
    assert.equal(await page.locator('main i').count(), 0, 'the note is text, not markup');
  });

  it('shows a statement and its SHA-256, and links its download', async () => {
    await go('#/statements', 'statements');
    await page.selectOption('#statement-merchant', appId);
    await page.fill('#statement-day', '2026-11-20');
    for (const [kind, expected] of [['TRANSACTION', /,CONSOLE0001,/], ['COLLECTION', /,CONSOLEPO1,,PAYOUT,SUCCESS,120000,/]]) {
      await page.selectOption('#statement-kind', kind);
      await page.click('#statement-show');
      await page.waitForFunction(() => document.getElementById('statement-preview')?.textContent.includes('#summary'), null, { timeout: 20_000 });
      const csv = await page.textContent('#statement-preview');
      assert.match(csv, expected);
      const sha = crypto.createHash('sha256').update(csv).digest('hex');
      assert.equal(await page.textContent('#statement-sha'), `sha256 ${sha}`);
      const href = await page.getAttribute('#statement-download', 'href');
      assert.equal(href, `/console/api/statements/${appId}/2026-11-20/${kind}`);
      const file = await page.request.get(`${gateway.base}${href}`);
      assert.equal(await file.text(), csv);
      await page.evaluate(() => { document.getElementById('statement-preview').textContent = ''; });
    }
  });

  it('logs out: the session is gone', async () => {
    await Promise.all([page.waitForURL('**/console/login'), page.click('#logout')]);
    assert.equal((await page.request.get(`${gateway.base}/console/api/clock`)).status(), 401);
    assert.deepEqual(problems, []);
    assert.ok(!gateway.log().includes(gateway.token), 'the token is never logged');
  });
});
