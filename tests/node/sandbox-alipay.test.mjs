// The Alipay sandbox (docs/sandbox-alipay.md) driven by Alipay's official Node SDK, npm
// `alipay-sdk` 4.14.0, unmodified but for its gateway URL and keys: the real `paysign
// gateway` binary answers alipay.trade.precreate / query / refund / fastpay.refund.query /
// close and alipay.data.dataservice.bill.downloadurl.query, every answer's signature checked
// by the SDK (`validateSign`), the trade's asynchronous notification checked by the SDK's own
// `checkNotifySignV2`, and the day's bill read from its zip (checked by Python's zipfile).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { AlipaySdk } from 'alipay-sdk';
import { sm2 } from 'sm-crypto-v2';

import { startGateway } from './gateway.mjs';
import { readText } from './vectors.mjs';

/** The entries of a zip whose entries are stored (not deflated), as the bills are. */
function storedZipEntries(zip) {
  const entries = [];
  let at = 0;
  while (zip.readUInt32LE(at) === 0x04034b50) {
    assert.equal(zip.readUInt16LE(at + 8), 0, 'stored entry');
    const size = zip.readUInt32LE(at + 18);
    const nameLength = zip.readUInt16LE(at + 26);
    const extraLength = zip.readUInt16LE(at + 28);
    const name = zip.subarray(at + 30, at + 30 + nameLength).toString('utf8');
    const start = at + 30 + nameLength + extraLength;
    entries.push({ name, data: zip.subarray(start, start + size) });
    at = start + size;
  }
  assert.equal(zip.readUInt32LE(at), 0x02014b50, 'the central directory follows the entries');
  return entries;
}

describe('Alipay sandbox with the official alipay-sdk', () => {
  let gateway;
  let sdk;
  let shop;
  let clockStart;
  let appPrivatePem;
  const received = [];

  before(async () => {
    clockStart = Math.floor(Date.now() / 1000);
    gateway = await startGateway({ start: clockStart });
    // The merchant's notify endpoint, checking with the SDK and answering `success`.
    shop = http.createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk) => { body += chunk; });
      request.on('end', () => {
        const fields = Object.fromEntries(new URLSearchParams(body));
        const verified = sdk.checkNotifySignV2(fields);
        received.push({ fields, verified });
        response.end(verified ? 'success' : 'fail');
      });
    });
    await new Promise((done) => shop.listen(0, '127.0.0.1', done));
    // The application: its key pair, registered and approved on the gateway.
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const { app_id: appId } = await gateway.admin('POST', 'merchants', {
      name: 'alipay app', notify_url: `http://127.0.0.1:${shop.address().port}/alipay`,
      public_key: publicKey.export({ type: 'spki', format: 'pem' }),
    });
    await gateway.admin('POST', `merchants/${appId}/approve`);
    const { public_key: alipayPublicKey } = await gateway.admin('GET', 'gateway-key');
    appPrivatePem = privateKey.export({ type: 'pkcs8', format: 'pem' });
    sdk = new AlipaySdk({
      appId,
      privateKey: appPrivatePem,
      keyType: 'PKCS8',
      alipayPublicKey,
      gateway: `${gateway.base}/alipay/gateway.do`,
    });
  });

  after(async () => {
    await new Promise((done) => (shop ? shop.close(done) : done()));
    await gateway?.stop();
  });

  const exec = (method, bizContent, extra = {}) => sdk.exec(method, { bizContent, ...extra }, { validateSign: true });

  it('order → pay → notify → query → refund → refund query, every answer verified by the SDK', async () => {
    const notifyUrl = `http://127.0.0.1:${shop.address().port}/alipay`;
    const created = await exec('alipay.trade.precreate', { outTradeNo: 'SDK20261120001', totalAmount: '66.66', subject: '燃气费' }, { notifyUrl });
    assert.equal(created.code, '10000', JSON.stringify(created));
    assert.equal(created.outTradeNo, 'SDK20261120001');
    assert.match(created.qrCode, /^https:\/\/qr\.alipay\.com\//);

    const waiting = await exec('alipay.trade.query', { outTradeNo: 'SDK20261120001' });
    assert.equal(waiting.tradeStatus, 'WAIT_BUYER_PAY');
    assert.equal(waiting.totalAmount, '66.66');

    // The payer pays (what Alipay's own sandbox cannot be told to do), then the gateway
    // delivers the notification when its clock runs the due work.
    await gateway.admin('POST', `alipay/trades/${waiting.tradeNo}/pay`);
    await gateway.admin('POST', 'clock', { advance_secs: 0 });
    assert.equal(received.length, 1, JSON.stringify(received));
    const [note] = received;
    assert.equal(note.verified, true, `the SDK refused the notification: ${JSON.stringify(note.fields)}`);
    assert.equal(note.fields.trade_status, 'TRADE_SUCCESS');
    assert.equal(note.fields.out_trade_no, 'SDK20261120001');
    assert.equal(note.fields.total_amount, '66.66');
    const log = await gateway.admin('GET', `notifications?trade_no=${waiting.tradeNo}`);
    assert.equal(log.notifications[0].state, 'DELIVERED', JSON.stringify(log));

    const paid = await exec('alipay.trade.query', { tradeNo: waiting.tradeNo });
    assert.equal(paid.tradeStatus, 'TRADE_SUCCESS');

    const refund = await exec('alipay.trade.refund', { outTradeNo: 'SDK20261120001', refundAmount: '6.66', outRequestNo: 'RF1' });
    assert.equal(refund.code, '10000', JSON.stringify(refund));
    assert.equal(refund.fundChange, 'Y');
    assert.equal(refund.refundFee, '6.66');
    const query = await exec('alipay.trade.fastpay.refund.query', { outTradeNo: 'SDK20261120001', outRequestNo: 'RF1' });
    assert.equal(query.refundStatus, 'REFUND_SUCCESS');
    assert.equal(query.refundAmount, '6.66');

    // The statement: the day's trade bill (业务明细), once the day is over.
    const billDate = new Date((clockStart + 8 * 3600) * 1000).toISOString().slice(0, 10);
    const early = await exec('alipay.data.dataservice.bill.downloadurl.query', { billType: 'trade', billDate });
    assert.equal(early.subCode, 'isp.bill_not_exist', JSON.stringify(early));
    await gateway.admin('POST', 'clock', { advance_secs: 86400 });
    const bill = await exec('alipay.data.dataservice.bill.downloadurl.query', { billType: 'trade', billDate });
    assert.equal(bill.code, '10000', JSON.stringify(bill));
    const download = await fetch(bill.billDownloadUrl);
    assert.equal(download.status, 200);
    const zip = Buffer.from(await download.arrayBuffer());
    // Python's zipfile, an independent reader, checks every entry's CRC-32.
    const zipPath = path.join(os.tmpdir(), `paysign-bill-${process.pid}.zip`);
    fs.writeFileSync(zipPath, zip);
    try {
      const checked = execFileSync('python3', ['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(len(z.namelist()))', zipPath], { encoding: 'utf8' });
      assert.equal(checked.trim(), '1');
    } finally {
      fs.rmSync(zipPath, { force: true });
    }
    const files = storedZipEntries(zip);
    const compact = billDate.replaceAll('-', '');
    assert.deepEqual(files.map((f) => f.name), [`${sdk.config.appId}_${compact}_业务明细.csv`]);
    const lines = new TextDecoder('gbk').decode(files[0].data).split('\n');
    assert.equal(lines[0], '#支付宝业务明细查询');
    const header = lines.find((l) => l.startsWith('支付宝交易号,'));
    assert.ok(header, lines.join('\n'));
    const rows = lines.filter((l) => l.startsWith(waiting.tradeNo)).map((l) => l.split(','));
    assert.deepEqual(rows.map((r) => [r[1], r[2], r[11], r[12], r[21]]), [
      ['SDK20261120001', '交易', '66.66', '66.66', ''],
      ['SDK20261120001', '退款', '66.66', '-6.66', 'RF1'],
    ]);
    assert.ok(lines.some((l) => l.startsWith('#交易合计：1笔')), lines.join('\n'));
    // The link expires after 30 seconds, as Alipay's do; a forged token never works.
    await gateway.admin('POST', 'clock', { advance_secs: 31 });
    assert.equal((await fetch(bill.billDownloadUrl)).status, 404);
    assert.equal((await fetch(bill.billDownloadUrl.replace(/token=[0-9a-f]/, 'token=0'))).status, 404);
  });

  it('page and wap pay: the cashier pays and sends the browser back with signed return parameters; app pay opens the trade', async () => {
    const notifyUrl = `http://127.0.0.1:${shop.address().port}/alipay`;
    const returnUrl = 'http://127.0.0.1:9/alipay/return'; // never fetched: the redirect is read
    const hidden = (html) => Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)]
      .map(([, name, value]) => [name, value.replaceAll('&quot;', '"')]));

    // Page pay, as a GET link: the browser opens the cashier, the payer presses the button.
    const link = sdk.pageExec('alipay.trade.page.pay', 'GET', {
      bizContent: { outTradeNo: 'PAGE20261120001', totalAmount: '12.30', subject: '水费', productCode: 'FAST_INSTANT_TRADE_PAY' },
      returnUrl, notifyUrl,
    });
    const cashier = await fetch(link);
    assert.equal(cashier.status, 200);
    const page = await cashier.text();
    assert.match(page, /PAGE20261120001/);
    const button = hidden(page);
    // A forged token pays nothing.
    const forged = await fetch(`${gateway.base}/alipay/cashier/pay`, { method: 'POST', body: new URLSearchParams({ ...button, token: '0'.repeat(64) }), redirect: 'manual' });
    assert.equal(forged.status, 400);
    const before = received.length;
    const paid = await fetch(`${gateway.base}/alipay/cashier/pay`, { method: 'POST', body: new URLSearchParams(button), redirect: 'manual' });
    assert.equal(paid.status, 302);
    const back = new URL(paid.headers.get('location'));
    assert.equal(`${back.origin}${back.pathname}`, returnUrl);
    const returned = Object.fromEntries(back.searchParams);
    assert.equal(returned.method, 'alipay.trade.page.pay.return');
    assert.equal(returned.out_trade_no, 'PAGE20261120001');
    assert.equal(returned.total_amount, '12.30');
    assert.equal(sdk.checkNotifySignV2(returned), true, 'the SDK verifies the return parameters');
    await gateway.admin('POST', 'clock', { advance_secs: 0 });
    assert.equal(received.length, before + 1);
    assert.equal(received.at(-1).verified, true);
    assert.equal(received.at(-1).fields.out_trade_no, 'PAGE20261120001');
    // Pressed again: the trade is paid, nothing is paid twice.
    const again = await fetch(`${gateway.base}/alipay/cashier/pay`, { method: 'POST', body: new URLSearchParams(button), redirect: 'manual' });
    assert.equal(again.status, 409);

    // Wap pay, as the auto-submitting POST form the SDK renders.
    const form = sdk.pageExec('alipay.trade.wap.pay', 'POST', {
      bizContent: { outTradeNo: 'WAP20261120001', totalAmount: '3.00', subject: '电费', productCode: 'QUICK_WAP_WAY' },
      returnUrl, notifyUrl,
    });
    const action = /<form action="([^"]+)"/.exec(form)[1];
    const wap = await fetch(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(hidden(form)) });
    const wapPage = await wap.text();
    assert.match(wapPage, /WAP20261120001/);
    const wapPaid = await fetch(`${gateway.base}/alipay/cashier/pay`, { method: 'POST', body: new URLSearchParams(hidden(wapPage)), redirect: 'manual' });
    const wapReturned = Object.fromEntries(new URL(wapPaid.headers.get('location')).searchParams);
    assert.equal(wapReturned.method, 'alipay.trade.wap.pay.return');
    assert.equal(sdk.checkNotifySignV2(wapReturned), true);

    // A page-pay request with a bad signature gets Alipay's refusal page, and no trade.
    const tampered = link.replace('12.30', '1.23');
    const refused = await (await fetch(tampered)).text();
    assert.match(refused, /isv\.invalid-signature/);

    // App pay: the order string the app hands to the Alipay app, posted as that app would.
    const orderString = sdk.sdkExec('alipay.trade.app.pay', {
      bizContent: { outTradeNo: 'APP20261120001', totalAmount: '8.00', subject: '燃气费', productCode: 'QUICK_MSECURITY_PAY' },
      notifyUrl,
    });
    const appAnswer = await (await fetch(`${gateway.base}/alipay/gateway.do`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' }, body: orderString,
    })).text();
    const inner = /^\{"alipay_trade_app_pay_response":(\{.*\}),"sign":"([^"]+)"\}$/.exec(appAnswer);
    assert.ok(inner, appAnswer);
    assert.equal(crypto.verify('sha256', Buffer.from(inner[1]), sdk.config.alipayPublicKey, Buffer.from(inner[2], 'base64')), true);
    const app = JSON.parse(inner[1]);
    assert.equal(app.code, '10000');
    assert.equal(app.out_trade_no, 'APP20261120001');
    const appTrade = await exec('alipay.trade.query', { outTradeNo: 'APP20261120001' });
    assert.equal(appTrade.tradeStatus, 'WAIT_BUYER_PAY');
  });

  it('certificate mode: the SDK configured with the sandbox\'s certificates computes their SNs; answers name alipay_cert_sn', async () => {
    const certs = await gateway.admin('GET', `alipay/certificates/${sdk.config.appId}`);
    const certified = new AlipaySdk({
      ...sdk.config,
      alipayPublicKey: undefined,
      appCertContent: certs.app_cert,
      alipayPublicCertContent: certs.alipay_cert,
      alipayRootCertContent: certs.alipay_root_cert,
    });
    // The SDK's own certificate reader agrees with the gateway on every SN.
    assert.equal(certified.config.appCertSn, certs.app_cert_sn);
    assert.equal(certified.config.alipayCertSn, certs.alipay_cert_sn);
    assert.equal(certified.config.alipayRootCertSn, certs.alipay_root_cert_sn);
    // The Alipay public key certificate and the app's are issued by the root (Node checks).
    const root = new crypto.X509Certificate(certs.alipay_root_cert);
    assert.equal(new crypto.X509Certificate(certs.alipay_cert).verify(root.publicKey), true);
    assert.equal(new crypto.X509Certificate(certs.app_cert).verify(root.publicKey), true);
    assert.equal(root.verify(root.publicKey), true);

    const created = await certified.exec('alipay.trade.precreate', { bizContent: { outTradeNo: 'CERT20261120001', totalAmount: '5.55', subject: '水费' } }, { validateSign: true });
    assert.equal(created.code, '10000', JSON.stringify(created));
    const raw = await (await fetch(`${gateway.base}/alipay/gateway.do`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
      body: certified.sdkExec('alipay.trade.query', { bizContent: { outTradeNo: 'CERT20261120001' } }),
    })).text();
    assert.match(raw, new RegExp(`\\},"alipay_cert_sn":"${certs.alipay_cert_sn}","sign":"`));

    // A root the sandbox did not issue is refused, as Alipay refuses it.
    const otherRoot = new AlipaySdk({ ...certified.config, alipayRootCertContent: certs.app_cert, alipayRootCertSn: undefined, appCertSn: undefined });
    const refused = await otherRoot.exec('alipay.trade.query', { bizContent: { outTradeNo: 'CERT20261120001' } });
    assert.equal(refused.subCode, 'isv.invalid-alipay-root-cert-sn', JSON.stringify(refused));
  });

  it('SM2 (国密): an application registered with an SM2 key signs SM2; answers and notifications are SM2, checked by sm-crypto-v2', async () => {
    // alipay-sdk has no SM2: the application signs with sm-crypto-v2, an independent
    // implementation, and checks every signature with it (user id 1234567812345678).
    const USER_ID = '1234567812345678';
    const scalar = readText('platforms/keys/sm2_merchant_private.hex').trim();
    const { app_id: appId } = await gateway.admin('POST', 'merchants', {
      name: 'sm2 app', notify_url: 'http://127.0.0.1:9/alipay-sm2', sign_types: ['SM2'],
      public_key: readText('platforms/keys/sm2_merchant_public.pem'),
    });
    const approved = await gateway.admin('POST', `merchants/${appId}/approve`);
    // The gateway's SM2 public key, as the uncompressed point sm-crypto-v2 takes.
    const spki = crypto.createPublicKey(approved.gateway_public_key).export({ type: 'spki', format: 'der' });
    const gatewayHex = spki.subarray(spki.length - 65).toString('hex');
    const canonical = (fields, skip) => Object.keys(fields).filter((k) => !skip.includes(k) && fields[k] !== '')
      .sort().map((k) => `${k}=${fields[k]}`).join('&');
    const call = async (method, biz, extra = {}) => {
      const fields = {
        app_id: appId, method, charset: 'utf-8', sign_type: 'SM2', version: '1.0',
        timestamp: '2026-11-20 10:00:00', biz_content: JSON.stringify(biz), ...extra,
      };
      const signature = sm2.doSignature(canonical(fields, ['sign']), scalar, { der: true, hash: true, userId: USER_ID });
      const body = new URLSearchParams({ ...fields, sign: Buffer.from(signature, 'hex').toString('base64') });
      const text = await (await fetch(`${gateway.base}/alipay/gateway.do`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' }, body,
      })).text();
      const [, inner, sign] = /^\{"[a-z_]+_response":(\{.*\}),"sign":"([^"]+)"\}$/.exec(text);
      assert.ok(sm2.doVerifySignature(inner, Buffer.from(sign, 'base64').toString('hex'), gatewayHex, { der: true, hash: true, userId: USER_ID }), `the answer's SM2 signature: ${text}`);
      return JSON.parse(inner);
    };
    const created = await call('alipay.trade.precreate', { out_trade_no: 'SM2ALI20261120001', total_amount: '9.90', subject: '燃气费' }, { notify_url: 'http://127.0.0.1:9/alipay-sm2' });
    assert.equal(created.code, '10000', JSON.stringify(created));
    const waiting = await call('alipay.trade.query', { out_trade_no: 'SM2ALI20261120001' });
    await gateway.admin('POST', `alipay/trades/${waiting.trade_no}/pay`);
    const [note] = (await gateway.admin('GET', `notifications?trade_no=${waiting.trade_no}`)).notifications;
    const fields = Object.fromEntries(new URLSearchParams(note.body));
    assert.equal(fields.sign_type, 'SM2');
    assert.ok(sm2.doVerifySignature(canonical(fields, ['sign', 'sign_type']), Buffer.from(fields.sign, 'base64').toString('hex'), gatewayHex, { der: true, hash: true, userId: USER_ID }), 'the notification\'s SM2 signature');
    // A request signed with another user id does not verify: Alipay's invalid-signature answer.
    const fieldsBad = { app_id: appId, method: 'alipay.trade.query', charset: 'utf-8', sign_type: 'SM2', version: '1.0', timestamp: '2026-11-20 10:00:00', biz_content: '{"out_trade_no":"SM2ALI20261120001"}' };
    const bad = sm2.doSignature(canonical(fieldsBad, ['sign']), scalar, { der: true, hash: true, userId: 'ALICE123@YAHOO.COM' });
    const refused = await (await fetch(`${gateway.base}/alipay/gateway.do`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
      body: new URLSearchParams({ ...fieldsBad, sign: Buffer.from(bad, 'hex').toString('base64') }),
    })).json();
    assert.equal(refused.alipay_trade_query_response.sub_code, 'isv.invalid-signature');
  });

  it('GBK: a call declaring charset=GBK is read, verified and answered in GBK (built and signed by Python)', async () => {
    // alipay-sdk signs UTF-8 only; Python's own GBK codec and `cryptography` build the call as
    // Alipay's GBK SDKs do: the canonical string's GBK bytes signed, the escapes GBK.
    const script = [
      'import sys, json, base64, urllib.parse',
      'from cryptography.hazmat.primitives import hashes, serialization',
      'from cryptography.hazmat.primitives.asymmetric import padding',
      'args = json.loads(sys.stdin.read())',
      "key = serialization.load_pem_private_key(args['key'].encode(), None)",
      "fields = args['fields']",
      "canonical = '&'.join(k + '=' + fields[k] for k in sorted(fields) if fields[k] != '')",
      "fields['sign'] = base64.b64encode(key.sign(canonical.encode('gbk'), padding.PKCS1v15(), hashes.SHA256())).decode()",
      "query = urllib.parse.urlencode({k: v for k, v in fields.items() if k != 'biz_content'}, encoding='gbk')",
      "body = urllib.parse.urlencode({'biz_content': fields['biz_content']}, encoding='gbk')",
      "print(json.dumps({'query': query, 'body': body}))",
    ].join('\n');
    const gbkCall = async (method, biz, extra = {}) => {
      const fields = {
        app_id: sdk.config.appId, method, charset: 'GBK', sign_type: 'RSA2', version: '1.0',
        timestamp: '2026-11-20 10:00:00', biz_content: JSON.stringify(biz), ...extra,
      };
      const { query, body } = JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify({ key: appPrivatePem, fields }), encoding: 'utf8' }));
      const response = await fetch(`${gateway.base}/alipay/gateway.do?${query}`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded;charset=GBK' }, body,
      });
      assert.match(response.headers.get('content-type'), /charset=GBK/i);
      const raw = Buffer.from(await response.arrayBuffer());
      // The signature covers the GBK bytes of the response object as sent.
      const start = raw.indexOf('_response":') + '_response":'.length;
      const end = raw.lastIndexOf(',"sign":"');
      const sign = /"sign":"([^"]+)"/.exec(raw.subarray(end).toString('latin1'))[1];
      assert.equal(crypto.verify('sha256', raw.subarray(start, end), sdk.config.alipayPublicKey, Buffer.from(sign, 'base64')), true, 'the GBK answer\'s signature');
      return JSON.parse(new TextDecoder('gbk').decode(raw.subarray(start, end)));
    };
    const created = await gbkCall('alipay.trade.precreate', { out_trade_no: 'GBK20261120001', total_amount: '7.70', subject: '燃气费（十一月）' }, { notify_url: 'http://127.0.0.1:9/alipay-gbk' });
    assert.equal(created.code, '10000', JSON.stringify(created));
    const trade = await exec('alipay.trade.query', { outTradeNo: 'GBK20261120001' });
    const held = await gateway.admin('GET', `alipay/trades/${trade.tradeNo}`);
    assert.equal(held.subject, '燃气费（十一月）', 'the GBK escapes were read as GBK');
    const missing = await gbkCall('alipay.trade.query', { out_trade_no: 'GBKNOSUCH001' });
    assert.equal(missing.sub_code, 'ACQ.TRADE_NOT_EXIST');
    assert.equal(missing.sub_msg, '交易不存在', 'the answer is GBK');

    // Its notification is GBK too: Python reads the escapes as GBK and checks the signature
    // over the GBK bytes of the string (without sign and sign_type), with the Alipay key.
    await gateway.admin('POST', `alipay/trades/${trade.tradeNo}/pay`);
    const [note] = (await gateway.admin('GET', `notifications?trade_no=${trade.tradeNo}`)).notifications;
    const check = [
      'import sys, json, base64, urllib.parse',
      'from cryptography.hazmat.primitives import hashes, serialization',
      'from cryptography.hazmat.primitives.asymmetric import padding',
      'args = json.loads(sys.stdin.read())',
      "fields = dict(urllib.parse.parse_qsl(args['body'], encoding='gbk', errors='strict'))",
      "canonical = '&'.join(k + '=' + fields[k] for k in sorted(fields) if k not in ('sign', 'sign_type') and fields[k] != '')",
      "key = serialization.load_pem_public_key(args['key'].encode())",
      "key.verify(base64.b64decode(fields['sign']), canonical.encode('gbk'), padding.PKCS1v15(), hashes.SHA256())",
      "print(json.dumps({'charset': fields['charset'], 'out_trade_no': fields['out_trade_no']}))",
    ].join('\n');
    const alipayKey = crypto.createPublicKey(sdk.config.alipayPublicKey).export({ type: 'spki', format: 'pem' });
    const read = JSON.parse(execFileSync('python3', ['-c', check], { input: JSON.stringify({ body: note.body, key: alipayKey }), encoding: 'utf8' }));
    assert.deepEqual(read, { charset: 'GBK', out_trade_no: 'GBK20261120001' });
  });

  it('the failure paths come back as Alipay error answers the SDK reads', async () => {
    const missing = await exec('alipay.trade.query', { outTradeNo: 'NOSUCHTRADE1' });
    assert.equal(missing.code, '40004');
    assert.equal(missing.subCode, 'ACQ.TRADE_NOT_EXIST');
    await exec('alipay.trade.precreate', { outTradeNo: 'SDK20261120002', totalAmount: '1.00', subject: '水费' });
    const changed = await exec('alipay.trade.precreate', { outTradeNo: 'SDK20261120002', totalAmount: '2.00', subject: '水费' });
    assert.equal(changed.subCode, 'ACQ.CONTEXT_INCONSISTENT');
    const unpaidRefund = await exec('alipay.trade.refund', { outTradeNo: 'SDK20261120002', refundAmount: '1.00' });
    assert.equal(unpaidRefund.subCode, 'ACQ.TRADE_STATUS_ERROR');
    // The outcome left unknown: the next query is Alipay's system error, the one after answers.
    const before = await exec('alipay.trade.query', { outTradeNo: 'SDK20261120002' });
    await gateway.admin('POST', `alipay/trades/${before.tradeNo}/fail-queries`, { count: 1 });
    const unknown = await exec('alipay.trade.query', { outTradeNo: 'SDK20261120002' });
    assert.deepEqual([unknown.code, unknown.subCode], ['20000', 'ACQ.SYSTEM_ERROR']);
    assert.equal((await exec('alipay.trade.query', { outTradeNo: 'SDK20261120002' })).tradeStatus, 'WAIT_BUYER_PAY');
    const closed = await exec('alipay.trade.close', { outTradeNo: 'SDK20261120002' });
    assert.equal(closed.code, '10000');
    const after = await exec('alipay.trade.query', { outTradeNo: 'SDK20261120002' });
    assert.equal(after.tradeStatus, 'TRADE_CLOSED');
  });

  it('an SDK configured with another Alipay public key refuses the answers', async () => {
    const other = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const wrong = new AlipaySdk({
      ...sdk.config,
      alipayPublicKey: other.publicKey.export({ type: 'spki', format: 'pem' }),
    });
    await assert.rejects(
      wrong.exec('alipay.trade.query', { bizContent: { outTradeNo: 'SDK20261120001' } }, { validateSign: true }),
      /验签失败/,
    );
  });
});
