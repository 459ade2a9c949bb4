// testNotification: a signed notification exactly as each platform sends it (the core's
// builders, as `paysign payload notification --profile P` prints them), verified here by the
// package's own NotificationVerifier with the platform's public key or secret, as a
// merchant's endpoint would. The CLI suite (sdk-cli/tests/cli/test_notifications.rs) and
// the core suite (with a Python/openssl check) drive the same builders.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { NotificationVerifier, PaysignError, testNotification } from 'paysign';
import { readText, secretFileBytes } from './vectors.mjs';

const TIME = 1795190400;
const NONCE = '0123456789abcdef0123456789abcdef';
const PUB_KEY_ID = 'PUB_KEY_ID_0114232134912410000000000000000';
const CERT_ID = '69042905377';
const event = { amount: 6754, appId: '2026000000000001', mchId: '1900000109', outTradeNo: 'M20261125000001', tradeNo: 'T20261125000000000001', billNo: 'SHW2026110042', time: TIME, nonce: NONCE };

const gatewayPrivate = readText('keys/gateway_private_pkcs8.pem');
const gatewayPublic = readText('keys/gateway_public_spki.pem');
const apiV3Key = secretFileBytes('platforms/keys/apiv3_key.txt');
const whsec = secretFileBytes('platforms/keys/whsec_published.txt');
const SM2_KEY_ID = 'PUB_KEY_ID_0114232134912410000000000000SM2';
const sm2Private = readText('platforms/keys/sm2_platform_private.pem');
const sm2Public = readText('platforms/keys/sm2_platform_public.pem');
const sm2Other = readText('platforms/keys/sm2_merchant_public.pem');
const unionpaySecureKey = secretFileBytes('platforms/keys/unionpay_secure_key.txt');

// Each platform: how it signs (the platform's side) and how a merchant verifies.
const platforms = [
  { profile: 'paysign', sign: { privateKey: gatewayPrivate }, verify: { publicKey: gatewayPublic } },
  { profile: 'alipay', sign: { privateKey: gatewayPrivate }, verify: { publicKey: gatewayPublic } },
  { profile: 'wechat-v2', sign: { secret: secretFileBytes('keys/secret.txt') }, verify: { secret: secretFileBytes('keys/secret.txt') } },
  {
    profile: 'wechat-v3',
    sign: { privateKey: readText('platforms/keys/wechatpay_pubkey_private.pem'), keyId: PUB_KEY_ID, apiV3Key },
    verify: { publicKeys: { [PUB_KEY_ID]: readText('platforms/keys/wechatpay_pubkey_public.pem') }, decryptionKey: apiV3Key },
  },
  {
    profile: 'unionpay',
    sign: { privateKey: readText('platforms/keys/unionpay_platform_private.pem'), keyId: CERT_ID },
    verify: { publicKeys: { [CERT_ID]: readText('platforms/keys/unionpay_platform_cert.pem') } },
  },
  { profile: 'standard-webhooks', sign: { secret: whsec }, verify: { secret: whsec } },
  // 国密: the same builders with an SM2 key or SM3 (built in the SM module).
  { profile: 'paysign', signType: 'SM2', sign: { privateKey: sm2Private }, verify: { publicKey: sm2Public }, otherKey: sm2Other },
  { profile: 'alipay', signType: 'SM2', sign: { privateKey: sm2Private }, verify: { publicKey: sm2Public }, otherKey: sm2Other },
  {
    profile: 'wechat-v3',
    signType: 'WECHATPAY2-SM2-WITH-SM3',
    sign: { privateKey: sm2Private, keyId: SM2_KEY_ID, apiV3Key },
    verify: { publicKeys: { [SM2_KEY_ID]: sm2Public }, decryptionKey: apiV3Key },
  },
  {
    profile: 'unionpay',
    signType: '12',
    sign: { secret: unionpaySecureKey, signType: 'SM3' },
    verify: { secret: unionpaySecureKey, accept: ['SM3'] },
  },
];

/** The sign type a message says it carries: the form's field, or WeChat Pay v3's header. */
function carriedSignType(profile, message) {
  if (profile === 'wechat-v3') return message.headers['Wechatpay-Signature-Type'];
  return new URLSearchParams(message.body).get(profile === 'unionpay' ? 'signMethod' : 'sign_type');
}

const headerPairs = (headers) => Object.entries(headers);

describe('testNotification', () => {
  for (const { profile, signType, sign, verify, otherKey } of platforms) {
    it(`${profile}${signType ? ` (${signType})` : ''}: verifies with the platform's key, is byte-identical for one event, refuses a tampered copy`, () => {
      const message = testNotification({ profile, ...sign, ...event });
      if (signType) assert.equal(carriedSignType(profile, message), signType);
      assert.deepEqual(testNotification({ profile, ...sign, ...event }), message, 'one event, one message (retries are identical)');
      assert.equal(message.headers['Content-Type'], message.contentType);
      const verifier = new NotificationVerifier({ profile, ...verify });
      const call = { headers: headerPairs(message.headers), contentType: message.contentType, now: TIME + 5 };
      const n = verifier.verify(message.body, call);
      assert.equal(n.outTradeNo, profile === 'standard-webhooks' ? '' : event.outTradeNo);
      if (profile !== 'standard-webhooks') assert.equal(n.totalAmount, event.amount);
      assert.equal(n.notifyId, message.notifyId);
      // One character changed inside the signed content: never accepted. The amount where
      // the body shows it, else the trade number (v3's amount is inside the ciphertext).
      let tampered = message.body.replace('6754', '6755').replace('67.54', '67.55');
      if (tampered === message.body) tampered = message.body.replace(event.tradeNo, `${event.tradeNo.slice(0, -1)}9`);
      assert.notEqual(tampered, message.body, 'the body carries the amount or the trade number');
      assert.throws(() => new NotificationVerifier({ profile, ...verify }).verify(tampered, call), PaysignError);
      // Another key of the same algorithm never verifies it.
      if (otherKey) {
        assert.throws(
          () => new NotificationVerifier({ profile, ...verify, publicKey: otherKey }).verify(message.body, call),
          (e) => e instanceof PaysignError && e.code === 'SIGNATURE_MISMATCH',
        );
      }
    });
  }

  it('a refund on WeChat Pay v3 carries no appid and verifies with the merchant id', () => {
    const { sign, verify } = platforms.find((p) => p.profile === 'wechat-v3');
    const message = testNotification({ profile: 'wechat-v3', ...sign, ...event, status: 'REFUNDED' });
    const call = { headers: headerPairs(message.headers), contentType: message.contentType, now: TIME + 5 };
    const n = new NotificationVerifier({ profile: 'wechat-v3', ...verify, appId: 'wx0000000000000000', mchId: event.mchId }).verify(message.body, call);
    assert.equal(n.status, 'REFUNDED');
    assert.throws(
      () => new NotificationVerifier({ profile: 'wechat-v3', ...verify, appId: 'wx0000000000000000' }).verify(message.body, call),
      (e) => e instanceof PaysignError && e.code === 'APP_ID_ABSENT',
    );
  });

  it('refuses what a platform cannot send, with typed errors', () => {
    const v3 = platforms.find((p) => p.profile === 'wechat-v3').sign;
    const code = (options) => {
      try {
        testNotification(options);
      } catch (e) {
        assert.ok(e instanceof PaysignError || e instanceof TypeError, String(e));
        return e.code ?? 'TypeError';
      }
      return 'no error';
    };
    assert.equal(code({ profile: 'wechat-v3', ...v3, apiV3Key: undefined, ...event }), 'CREDENTIAL_MISMATCH');
    assert.equal(code({ profile: 'paysign', privateKey: gatewayPrivate, ...event, status: 'MAYBE' }), 'FIELD_INVALID');
    assert.equal(code({ profile: 'paysign', ...event }), 'CREDENTIAL_MISMATCH');
    assert.equal(code({ profile: 'paysign', privateKey: gatewayPrivate, ...event, colour: 'red' }), 'TypeError');
    // An event no verifier would accept is refused, naming this function's option.
    for (const [option, value] of [['tradeNo', ' T1'], ['outTradeNo', ''], ['notifyId', 'N\u0001'], ['nonce', 'a b'], ['time', -1]]) {
      assert.throws(
        () => testNotification({ profile: 'paysign', privateKey: gatewayPrivate, ...event, [option]: value }),
        (e) => e instanceof PaysignError && e.code === 'FIELD_INVALID' && e.message.startsWith(`\`${option}\` is invalid`),
        option,
      );
    }
  });
});
