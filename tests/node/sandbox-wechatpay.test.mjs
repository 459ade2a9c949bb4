// The WeChat Pay v3 sandbox (docs/sandbox-wechatpay.md) driven by a WeChat Pay v3 SDK, npm
// `wechatpay-axios-plugin` 0.9.6, unmodified but for its base URL and keys: the real
// `paysign gateway` binary answers Native / JSAPI / H5 prepay, query by out_trade_no and by
// transaction_id, close, refund, refund query, /v3/certificates and the trade bill
// (/v3/bill/tradebill, read with the SDK's own `Formatter.castCsvBill`). The SDK signs every
// request (`Authorization`) and verifies every answer's `Wechatpay-Signature` with the
// platform key it was given, under the `Wechatpay-Serial` the answer names; the merchant's
// notify endpoint checks each notification with the SDK's own `Rsa.verify` and opens its
// resource with the SDK's `Aes.AesGcm.decrypt`; paysign's own NotificationVerifier
// (`wechat-v3`) reads the same notifications.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';

import { NotificationVerifier } from 'paysign';
import { Aes, Formatter, Rsa, Wechatpay } from 'wechatpay-axios-plugin';

import { startGateway } from './gateway.mjs';

describe('WeChat Pay v3 sandbox with wechatpay-axios-plugin', () => {
  let gateway;
  let shop;
  let mchid;
  let keys; // GET /admin/wechatpay/merchants/{mchid}
  let merchantKey;
  let wxpay;
  let notifyUrl;
  let clockStart;
  const received = [];
  // What the notify endpoint answers next (a status), to rehearse a retry.
  let answerStatus = 204;

  before(async () => {
    clockStart = Math.floor(Date.now() / 1000);
    gateway = await startGateway({ start: clockStart });
    // The merchant's notify endpoint: verified and decrypted with the SDK's functions.
    shop = http.createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk) => { body += chunk; });
      request.on('end', () => {
        const h = request.headers;
        const verified = Rsa.verify(
          Formatter.joinedByLineFeed(h['wechatpay-timestamp'], h['wechatpay-nonce'], body),
          h['wechatpay-signature'],
          Rsa.from(keys.platform_public_key, Rsa.KEY_TYPE_PUBLIC),
        );
        const envelope = JSON.parse(body);
        const { ciphertext, nonce, associated_data: aad } = envelope.resource;
        const resource = JSON.parse(Aes.AesGcm.decrypt(ciphertext, keys.api_v3_key, nonce, aad));
        // paysign's verifier, configured with both names of the platform key.
        const paysign = new NotificationVerifier({
          profile: 'wechat-v3',
          publicKeys: {
            [keys.platform_public_key_id]: keys.platform_public_key,
            [keys.platform_certificate_serial]: keys.platform_public_key,
          },
          decryptionKey: keys.api_v3_key,
        });
        const headerPairs = Object.entries(h).filter(([name]) => name.startsWith('wechatpay-'));
        const byPaysign = paysign.verify(body, { headers: headerPairs, contentType: h['content-type'] });
        received.push({ headers: h, envelope, resource, verified, byPaysign });
        response.statusCode = verified ? answerStatus : 401;
        response.end();
      });
    });
    await new Promise((done) => shop.listen(0, '127.0.0.1', done));
    notifyUrl = `http://127.0.0.1:${shop.address().port}/wechatpay`;
    // The merchant: its API key pair, registered and approved on the gateway.
    const pair = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    merchantKey = pair.privateKey.export({ type: 'pkcs8', format: 'pem' });
    ({ app_id: mchid } = await gateway.admin('POST', 'merchants', {
      name: 'wechatpay merchant', notify_url: notifyUrl,
      public_key: pair.publicKey.export({ type: 'spki', format: 'pem' }),
    }));
    await gateway.admin('POST', `merchants/${mchid}/approve`);
    keys = await gateway.admin('GET', `wechatpay/merchants/${mchid}`);
    wxpay = sdk();
  });

  after(async () => {
    await new Promise((done) => (shop ? shop.close(done) : done()));
    await gateway?.stop();
  });

  // The SDK as a merchant configures it: mchid, its certificate serial and key, the
  // platform key under its id (public-key mode), and the gateway as the base URL.
  const sdk = (overrides = {}) => new Wechatpay({
    mchid,
    serial: keys.merchant_serial_no,
    privateKey: merchantKey,
    certs: { [keys.platform_public_key_id]: keys.platform_public_key },
    baseURL: `${gateway.base}/`,
    ...overrides,
  });

  const failure = async (promise) => {
    try {
      const answer = await promise;
      assert.fail(`expected an error answer, got ${answer.status} ${JSON.stringify(answer.data)}`);
    } catch (error) {
      if (!error.response) throw error;
      return { status: error.response.status, data: error.response.data };
    }
  };

  const order = (out_trade_no, total = 6666, extra = {}) => ({
    appid: 'wxd678efh567hg6787', mchid, description: '水费-2026年11月', out_trade_no,
    notify_url: notifyUrl, amount: { total, currency: 'CNY' }, ...extra,
  });

  const deliver = () => gateway.admin('POST', 'clock', { advance_secs: 0 });

  it('native order → pay → notify → query both ways → refund → refund query, every answer verified by the SDK', async () => {
    const created = await wxpay.v3.pay.transactions.native.post(order('WXSDK2026112001'));
    assert.equal(created.status, 200);
    assert.match(created.data.code_url, /^weixin:\/\/wxpay\/bizpayurl\?pr=wx\d{14}/);

    const waiting = await wxpay.v3.pay.transactions.outTradeNo.$out_trade_no$.get({
      params: { mchid }, out_trade_no: 'WXSDK2026112001',
    });
    assert.equal(waiting.data.trade_state, 'NOTPAY');
    assert.equal(waiting.data.amount.total, 6666);
    assert.equal(waiting.data.transaction_id, undefined);

    // The same order again is the same prepay; another amount is a duplicate number.
    const again = await wxpay.v3.pay.transactions.native.post(order('WXSDK2026112001'));
    assert.equal(again.data.code_url, created.data.code_url);
    const clash = await failure(wxpay.v3.pay.transactions.native.post(order('WXSDK2026112001', 100)));
    assert.deepEqual([clash.status, clash.data.code], [400, 'INVALID_REQUEST']);

    // The payer pays; the gateway delivers the notification when its clock runs.
    const paid = await gateway.admin('POST', `wechatpay/transactions/${mchid}/WXSDK2026112001/pay`);
    assert.equal(paid.trade_state, 'SUCCESS');
    await deliver();
    assert.equal(received.length, 1);
    const [note] = received;
    assert.equal(note.verified, true, 'the SDK refused the notification signature');
    assert.equal(note.headers['wechatpay-serial'], keys.platform_public_key_id);
    assert.equal(note.headers['content-type'], 'application/json');
    assert.equal(note.envelope.event_type, 'TRANSACTION.SUCCESS');
    assert.equal(note.envelope.resource.algorithm, 'AEAD_AES_256_GCM');
    assert.equal(note.resource.out_trade_no, 'WXSDK2026112001');
    assert.equal(note.resource.transaction_id, paid.transaction_id);
    assert.equal(note.resource.trade_type, 'NATIVE');
    assert.equal(note.resource.amount.total, 6666);
    assert.equal(note.resource.mchid, mchid);
    assert.equal(note.byPaysign.params.out_trade_no, 'WXSDK2026112001');
    assert.equal(note.byPaysign.params['amount.total'], '6666');
    assert.equal(note.byPaysign.params.event_type, 'TRANSACTION.SUCCESS');

    const byId = await wxpay.v3.pay.transactions.id._transaction_id_.get({
      params: { mchid }, transaction_id: paid.transaction_id,
    });
    assert.equal(byId.data.trade_state, 'SUCCESS');
    assert.equal(byId.data.out_trade_no, 'WXSDK2026112001');
    assert.equal(byId.data.amount.payer_total, 6666);

    const refund = { out_trade_no: 'WXSDK2026112001', out_refund_no: 'WXRF2026112001', reason: '重复缴费', notify_url: notifyUrl, amount: { refund: 1000, total: 6666, currency: 'CNY' } };
    const refunded = await wxpay.v3.refund.domestic.refunds.post(refund);
    assert.equal(refunded.data.status, 'SUCCESS');
    assert.equal(refunded.data.amount.refund, 1000);
    assert.equal(refunded.data.transaction_id, paid.transaction_id);
    // The same out_refund_no again is the same refund, not a second one.
    const again2 = await wxpay.v3.refund.domestic.refunds.post(refund);
    assert.equal(again2.data.refund_id, refunded.data.refund_id);
    const queried = await wxpay.v3.refund.domestic.refunds.$out_refund_no$.get({ out_refund_no: 'WXRF2026112001' });
    assert.equal(queried.data.refund_id, refunded.data.refund_id);
    const left = await gateway.admin('GET', `wechatpay/transactions/${mchid}/WXSDK2026112001`);
    assert.equal(left.refunded, '1000');
    assert.equal(left.trade_state, 'REFUND');

    await deliver();
    assert.equal(received.length, 2);
    assert.equal(received[1].verified, true);
    assert.equal(received[1].envelope.event_type, 'REFUND.SUCCESS');
    assert.equal(received[1].resource.out_refund_no, 'WXRF2026112001');
    assert.equal(received[1].resource.amount.refund, 1000);

    // The statement: the day's trade bill, once the day is over on the gateway's clock (the
    // SDK keeps signing in real time: the sandbox checks signatures against the real time).
    const billDate = new Date((clockStart + 8 * 3600) * 1000).toISOString().slice(0, 10);
    const early = await failure(wxpay.v3.bill.tradebill.get({ params: { bill_date: billDate, bill_type: 'ALL' } }));
    assert.deepEqual([early.status, early.data.code], [400, 'NO_STATEMENT_EXIST']);
    await gateway.admin('POST', 'clock', { advance_secs: 86400 });
    const { data: link } = await wxpay.v3.bill.tradebill.get({ params: { bill_date: billDate, bill_type: 'ALL' } });
    assert.equal(link.hash_type, 'SHA1');
    const token = new URL(link.download_url).searchParams.get('token');
    const { data: file } = await wxpay.v3.billdownload.file.get({ params: { token }, responseType: 'arraybuffer' });
    const bytes = Buffer.from(file);
    assert.equal(crypto.createHash('sha1').update(bytes).digest('hex'), link.hash_value);
    // Read with the SDK's own bill parser.
    const { rows, summary } = Formatter.castCsvBill(bytes);
    const mine = rows.filter((r) => r['商户订单号'] === 'WXSDK2026112001');
    assert.deepEqual(mine.map((r) => [r['交易状态'], r['应结订单金额'], r['退款金额'], r['商户退款单号']]), [
      ['SUCCESS', '66.66', '0.00', '0'],
      ['REFUND', '0.00', '10.00', 'WXRF2026112001'],
    ]);
    assert.equal(mine[0]['微信订单号'], paid.transaction_id);
    assert.equal(summary['退款总金额'], '10.00');
    // Another merchant's token, or one past its 30 seconds, is refused.
    await gateway.admin('POST', 'clock', { advance_secs: 31 });
    const expired = await failure(wxpay.v3.billdownload.file.get({ params: { token }, responseType: 'arraybuffer' }));
    assert.equal(expired.status, 400);

    // More than is left is refused; so is refunding an unpaid order.
    const over = await failure(wxpay.v3.refund.domestic.refunds.post({ ...refund, out_refund_no: 'WXRF2026112002', amount: { refund: 5667, total: 6666, currency: 'CNY' } }));
    assert.deepEqual([over.status, over.data.code], [400, 'INVALID_REQUEST']);
    const missing = await failure(wxpay.v3.refund.domestic.refunds.$out_refund_no$.get({ out_refund_no: 'WXRF-NONE' }));
    assert.deepEqual([missing.status, missing.data.code], [404, 'RESOURCE_NOT_EXISTS']);
  });

  it('JSAPI and H5 orders, close, and the payer who fails, keeps paying or walks away', async () => {
    const jsapi = await wxpay.v3.pay.transactions.jsapi.post(order('WXJS2026112001', 1200, { payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' } }));
    assert.match(jsapi.data.prepay_id, /^wx\d{34}$/);
    const noPayer = await failure(wxpay.v3.pay.transactions.jsapi.post(order('WXJS2026112002')));
    assert.deepEqual([noPayer.status, noPayer.data.code], [400, 'PARAM_ERROR']);
    assert.match(noPayer.data.message, /payer/);
    const h5 = await wxpay.v3.pay.transactions.h5.post(order('WXH52026112001', 800, { scene_info: { payer_client_ip: '127.0.0.1', h5_info: { type: 'Wap' } } }));
    assert.match(h5.data.h5_url, /^https:\/\/wx\.tenpay\.com\/.*prepay_id=wx/);

    await gateway.admin('POST', `wechatpay/transactions/${mchid}/WXJS2026112001/pending`);
    const paying = await wxpay.v3.pay.transactions.outTradeNo.$out_trade_no$.get({ params: { mchid }, out_trade_no: 'WXJS2026112001' });
    assert.equal(paying.data.trade_state, 'USERPAYING');
    await gateway.admin('POST', `wechatpay/transactions/${mchid}/WXJS2026112001/fail`);
    const failed = await wxpay.v3.pay.transactions.outTradeNo.$out_trade_no$.get({ params: { mchid }, out_trade_no: 'WXJS2026112001' });
    assert.equal(failed.data.trade_state, 'PAYERROR');
    // Closing an unpaid order is 204, signed and verified; closing again changes nothing.
    const closed = await wxpay.v3.pay.transactions.outTradeNo.$out_trade_no$.close.post({ mchid }, { out_trade_no: 'WXJS2026112001' });
    assert.equal(closed.status, 204);
    assert.equal((await wxpay.v3.pay.transactions.outTradeNo.$out_trade_no$.close.post({ mchid }, { out_trade_no: 'WXJS2026112001' })).status, 204);
    const reopened = await failure(wxpay.v3.pay.transactions.jsapi.post(order('WXJS2026112001', 1200, { payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' } })));
    assert.deepEqual([reopened.status, reopened.data.code], [400, 'ORDER_CLOSED']);

    await gateway.admin('POST', `wechatpay/transactions/${mchid}/WXH52026112001/abandon`);
    const abandoned = await wxpay.v3.pay.transactions.outTradeNo.$out_trade_no$.get({ params: { mchid }, out_trade_no: 'WXH52026112001' });
    assert.equal(abandoned.data.trade_state, 'CLOSED');
    const unknown = await failure(wxpay.v3.pay.transactions.outTradeNo.$out_trade_no$.get({ params: { mchid }, out_trade_no: 'WXNONE000001' }));
    assert.deepEqual([unknown.status, unknown.data.code], [404, 'ORDER_NOT_EXIST']);
    // A paid order cannot be closed.
    await wxpay.v3.pay.transactions.native.post(order('WXPAID2026112001', 300));
    await gateway.admin('POST', `wechatpay/transactions/${mchid}/WXPAID2026112001/pay`);
    const paidClose = await failure(wxpay.v3.pay.transactions.outTradeNo.$out_trade_no$.close.post({ mchid }, { out_trade_no: 'WXPAID2026112001' }));
    assert.deepEqual([paidClose.status, paidClose.data.code], [400, 'ORDERPAID']);
  });

  it('a request signed with another key, or under another serial, is 401 SIGN_ERROR', async () => {
    const stranger = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    const forged = await failure(sdk({ privateKey: stranger }).v3.pay.transactions.native.post(order('WXFORGED00001')));
    assert.deepEqual([forged.status, forged.data.code], [401, 'SIGN_ERROR']);
    const wrongSerial = await failure(sdk({ serial: '7132D72A03E93CDDF8C03BBD1F37EEDF204A1A2B' }).v3.pay.transactions.native.post(order('WXFORGED00002')));
    assert.deepEqual([wrongSerial.status, wrongSerial.data.code], [401, 'SIGN_ERROR']);
    assert.match(wrongSerial.data.message, /序列号/);
    // Nothing was created by either.
    const none = await failure(wxpay.v3.pay.transactions.outTradeNo.$out_trade_no$.get({ params: { mchid }, out_trade_no: 'WXFORGED00001' }));
    assert.equal(none.status, 404);
  });

  it('an SDK given another platform key refuses every answer', async () => {
    const other = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' });
    await assert.rejects(
      sdk({ certs: { [keys.platform_public_key_id]: other } }).v3.pay.transactions.native.post(order('WXOTHERKEY001')),
      (error) => error.code === 'EV3_RES_HEADER_SIGNATURE_DIGEST' || /signature/i.test(error.message),
    );
  });

  it('certificate mode: /v3/certificates decrypts with the APIv3 key to the certificate that signs the answers', async () => {
    const settings = await gateway.admin('PUT', `wechatpay/merchants/${mchid}`, { platform_key_mode: 'CERTIFICATE' });
    assert.equal(settings.platform_key_mode, 'CERTIFICATE');
    // The SDK knows the platform only by certificate now; the download is verified with it.
    const bySerial = sdk({ certs: { [keys.platform_certificate_serial]: keys.platform_certificate } });
    const { data } = await bySerial.v3.certificates.get();
    assert.equal(data.data.length, 1);
    const [entry] = data.data;
    assert.equal(entry.serial_no, keys.platform_certificate_serial);
    const { ciphertext, nonce, associated_data: aad } = entry.encrypt_certificate;
    const pem = Aes.AesGcm.decrypt(ciphertext, keys.api_v3_key, nonce, aad);
    assert.equal(pem, keys.platform_certificate);
    const certificate = new crypto.X509Certificate(pem);
    assert.equal(certificate.serialNumber.toUpperCase(), entry.serial_no);
    assert.equal(certificate.verify(certificate.publicKey), true, 'the certificate is signed by its own key');
    assert.equal(
      certificate.publicKey.export({ type: 'spki', format: 'pem' }),
      crypto.createPublicKey(keys.platform_public_key).export({ type: 'spki', format: 'pem' }),
    );
    assert.ok(new Date(entry.expire_time) > new Date(), entry.expire_time);
    // Answers and notifications now name the certificate.
    await bySerial.v3.pay.transactions.native.post(order('WXCERT2026112001', 500));
    await gateway.admin('POST', `wechatpay/transactions/${mchid}/WXCERT2026112001/pay`);
    const before = received.length;
    await deliver();
    const note = received.at(-1);
    assert.equal(received.length, before + 1);
    assert.equal(note.headers['wechatpay-serial'], keys.platform_certificate_serial);
    assert.equal(note.verified, true);
    await gateway.admin('PUT', `wechatpay/merchants/${mchid}`, { platform_key_mode: 'PUBLIC_KEY' });
  });

  it('a refund that fails on purpose (SYSTEM_ERROR), then goes through with the same out_refund_no; a notification retried until 2xx', async () => {
    await wxpay.v3.pay.transactions.native.post(order('WXRETRY2026112001', 2000));
    answerStatus = 500; // the merchant's endpoint fails the first delivery
    const paid = await gateway.admin('POST', `wechatpay/transactions/${mchid}/WXRETRY2026112001/pay`);
    const before = received.length;
    await deliver();
    assert.equal(received.length, before + 1);
    answerStatus = 204;
    // The gateway retries on its schedule: the same body, byte for byte.
    const [event] = (await gateway.admin('GET', `notifications?app_id=${mchid}`)).notifications.filter((n) => n.out_trade_no === 'WXRETRY2026112001');
    assert.equal(event.state, 'PENDING');
    await gateway.admin('POST', `notifications/${event.notify_id}/resend`);
    await deliver();
    assert.equal(received.length, before + 2);
    assert.deepEqual(received.at(-1).envelope, received.at(-2).envelope);
    const delivered = (await gateway.admin('GET', `notifications?app_id=${mchid}`)).notifications.find((n) => n.notify_id === event.notify_id);
    assert.equal(delivered.state, 'DELIVERED');

    await gateway.admin('POST', `wechatpay/transactions/${mchid}/WXRETRY2026112001/fail-refunds`, { count: 1 });
    const refund = { transaction_id: paid.transaction_id, out_refund_no: 'WXRETRYRF001', amount: { refund: 2000, total: 2000, currency: 'CNY' } };
    const failed = await failure(wxpay.v3.refund.domestic.refunds.post(refund));
    assert.deepEqual([failed.status, failed.data.code], [500, 'SYSTEM_ERROR']);
    const retried = await wxpay.v3.refund.domestic.refunds.post(refund);
    assert.equal(retried.data.status, 'SUCCESS');
    assert.equal(retried.data.amount.refund, 2000);
  });

  it('out of order: a payment notification held back arrives after its refund\'s; resent, it is the same bytes', async () => {
    await wxpay.v3.pay.transactions.native.post(order('WXOOO2026112001', 900));
    await gateway.admin('POST', `wechatpay/transactions/${mchid}/WXOOO2026112001/pay`);
    const [payment] = (await gateway.admin('GET', `notifications?app_id=${mchid}&state=PENDING`)).notifications
      .filter((n) => n.out_trade_no === 'WXOOO2026112001');
    const held = await gateway.admin('POST', `notifications/${payment.notify_id}/hold`);
    assert.equal(held.notification.state, 'HELD');
    assert.equal(held.notification.next_attempt_at, null);
    const before = received.length;
    await deliver();
    assert.equal(received.length, before, 'a held notification is not sent');
    await wxpay.v3.refund.domestic.refunds.post({
      out_trade_no: 'WXOOO2026112001', out_refund_no: 'WXOOORF001', notify_url: notifyUrl,
      amount: { refund: 900, total: 900, currency: 'CNY' },
    });
    await deliver();
    await gateway.admin('POST', `notifications/${payment.notify_id}/resend`);
    const arrived = received.slice(before);
    assert.deepEqual(arrived.map((r) => r.envelope.event_type), ['REFUND.SUCCESS', 'TRANSACTION.SUCCESS']);
    assert.ok(arrived.every((r) => r.verified));
    assert.equal(arrived[1].resource.out_trade_no, 'WXOOO2026112001');
  });
});
