// A real browser: headless Chromium (playwright-core, Debian's /usr/bin/chromium) loads
// examples/web/ from a static server on 127.0.0.1:0, signs a payment request and verifies
// signatures in the page with the wasm and the WebCrypto providers; the assertions read
// the page. PAYSIGN_CHROMIUM names another Chromium binary; without one the suite fails
// (install Debian's `chromium`), unless PAYSIGN_SKIP_BROWSER=1 says to skip it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { startServer } from '../../examples/web/serve.mjs';
import { merchantPrivatePem, merchantPublicPem, readText, signCases } from '../node/vectors.mjs';
import { launchChromium } from './chromium.mjs';

const vector = signCases().find((c) => c.name === 'sign_paysign_rsa2_request');

let server;
let browser;
let page;
const problems = [];

async function waitStep(step) {
  await page.waitForFunction((s) => document.body.dataset.step === s, step, { timeout: 30_000 });
}

async function sign(provider) {
  await page.evaluate(() => delete document.body.dataset.step);
  await page.selectOption('#provider', provider);
  await page.click('#sign');
  await waitStep(`signed-${provider}`);
}

async function verifyNotification() {
  await page.evaluate(() => delete document.body.dataset.step);
  await page.click('#notify-verify');
  await waitStep('notified');
  const text = await page.textContent('#notify-result');
  return (await page.getAttribute('#notify-result', 'data-ok')) === 'true' ? JSON.parse(text) : text;
}

async function verify(provider) {
  await page.evaluate(() => delete document.body.dataset.step);
  await page.selectOption('#provider', provider);
  await page.click('#verify');
  await waitStep(`verified-${provider}`);
  return page.textContent('#verify-result');
}

const skip = process.env.PAYSIGN_SKIP_BROWSER === '1' && 'PAYSIGN_SKIP_BROWSER=1';

describe('examples/web in headless Chromium', { skip }, () => {
  before(async () => {
    server = await startServer({ port: 0 });
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    await page.goto(server.url);
    await page.waitForFunction(() => document.body.dataset.ready !== undefined, null, { timeout: 60_000 });
    assert.equal(await page.evaluate(() => document.body.dataset.ready), 'true', await page.textContent('#status'));
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('loads the wasm module over HTTP and generates a key pair in the page', async () => {
    assert.match(await page.inputValue('#private-key'), /^-----BEGIN PRIVATE KEY-----/);
    assert.match(await page.inputValue('#public-key'), /^-----BEGIN PUBLIC KEY-----/);
  });

  for (const provider of ['wasm', 'webcrypto']) {
    it(`signs the page's own order and verifies it (provider ${provider})`, async () => {
      await sign(provider);
      assert.equal(await page.getAttribute('#signature', 'data-ok'), 'true', await page.textContent('#signature'));
      const form = new URLSearchParams(await page.inputValue('#signed'));
      assert.equal(form.get('sign_type'), 'RSA2');
      assert.equal(form.get('subject'), '上海自来水 11月');
      assert.equal(await verify(provider), 'valid (RSA2)');
    });
  }

  it('both providers give the vector signature for the vector key, and the same bytes', async () => {
    await page.fill('#params', JSON.stringify(Object.fromEntries(vector.pairs)));
    await page.fill('#private-key', merchantPrivatePem);
    await page.fill('#public-key', merchantPublicPem);
    const signatures = {};
    for (const provider of ['wasm', 'webcrypto']) {
      await sign(provider);
      assert.equal(await page.textContent('#canonical'), vector.canonical, provider);
      signatures[provider] = await page.textContent('#signature');
      assert.equal(signatures[provider], vector.signature, provider);
      for (const verifier of ['wasm', 'webcrypto']) {
        assert.equal(await verify(verifier), 'valid (RSA2)', `${provider} → ${verifier}`);
      }
    }
  });

  it('a tampered form fails with SIGNATURE_MISMATCH with both providers', async () => {
    const form = new URLSearchParams(await page.inputValue('#signed'));
    form.set('total_amount', '1');
    await page.fill('#signed', form.toString());
    for (const provider of ['wasm', 'webcrypto']) {
      assert.match(await verify(provider), /^SIGNATURE_MISMATCH: /, provider);
      assert.equal(await page.getAttribute('#verify-result', 'data-ok'), 'false');
    }
  });

  it('a bad key is reported with its code, and the page keeps working', async () => {
    await page.fill('#private-key', 'not a key');
    await sign('wasm');
    assert.match(await page.textContent('#signature'), /^KEY_INVALID: /);
    await page.fill('#private-key', merchantPrivatePem);
    await sign('wasm');
    assert.equal(await page.textContent('#signature'), vector.signature);
  });

  it("verifies the page's own notification with NotificationVerifier (WebCrypto); a retry is a duplicate", async () => {
    const first = await verifyNotification();
    assert.equal(first.status, 'SUCCESS');
    assert.equal(first.totalAmount, 1959);
    assert.equal(first.signType, 'RSA2');
    assert.equal(first.duplicate, false);
    assert.equal(await page.textContent('#notify-ack'), 'success');
    assert.equal((await verifyNotification()).duplicate, true);
  });

  it('verifies the gateway vector notification at the vector time, and refuses a tampered one', async () => {
    await page.fill('#notify-body', readText('notify_paysign_form/body.bin'));
    await page.fill('#notify-key', readText('keys/gateway_public_spki.pem'));
    await page.fill('#notify-now', '1795190410');
    assert.deepEqual(await verifyNotification(), { outTradeNo: 'M20261120000001', status: 'SUCCESS', totalAmount: 6754, signType: 'RSA2', duplicate: false });
    await page.fill('#notify-body', readText('fail_notify_tampered_amount/body.bin'));
    assert.match(await verifyNotification(), /^SIGNATURE_MISMATCH: /);
    await page.fill('#notify-body', readText('notify_paysign_form/body.bin'));
    await page.fill('#notify-now', '1795287600');
    assert.match(await verifyNotification(), /^TIMESTAMP_OUT_OF_WINDOW: /);
  });

  it('no page errors or console errors', () => {
    assert.deepEqual(problems, []);
  });
});
