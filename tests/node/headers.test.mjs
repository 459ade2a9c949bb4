// Header-signed profiles and Alipay certificate mode through Signer, on the platform
// vectors the Rust and CLI suites read (tests/vectors/platforms/sign_* and fail_sign_*,
// made by openssl, hashlib and Python's `cryptography`): the WeChat Pay v3 Authorization
// header with every crypto provider, the Standard Webhooks headers, the SN fields of
// certificate mode, and UNSUPPORTED_OPERATION wherever a k=v signature would be wrong.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { canonicalize, PaysignError, sign, Signer, Verifier } from 'paysign';
import { readText, rsaProviders, syncAndAsync, vectorsDir } from './vectors.mjs';

function cases(prefix) {
  const names = fs
    .readdirSync(path.join(vectorsDir, 'platforms'))
    .filter((n) => n.startsWith(prefix))
    .sort();
  assert.ok(names.length > 0, `no platforms/${prefix}* vectors`);
  return names.map((name) => `platforms/${name}`);
}

const json = (rel) => JSON.parse(readText(rel));
const code = (expected) => (e) => e instanceof PaysignError && e.code === expected;
const secretText = (rel) => readText(rel).replace(/\r?\n$/, '');

function v3Signer(input, provider) {
  return new Signer({
    profile: 'wechat-v3',
    privateKey: readText(input.key),
    mchId: input.mchid,
    serialNo: input.serial_no,
    provider,
  });
}

describe('WeChat Pay v3 Authorization', () => {
  for (const dir of cases('sign_wechat_v3_')) {
    const input = json(`${dir}/input.json`);
    const request = { method: input.method, url: input.url, body: input.body, timestamp: input.timestamp, nonce: input.nonce };
    for (const provider of rsaProviders) {
      it(`${dir}: the vector's header and string to sign (provider ${provider})`, async () => {
        const signer = v3Signer(input, provider);
        const result = await syncAndAsync(provider, () => signer.authorization(request), () => signer.authorizationAsync(request));
        assert.deepEqual(result, {
          authorization: readText(`${dir}/authorization.txt`).trim(),
          timestamp: input.timestamp,
          nonce: input.nonce,
        });
        assert.equal(signer.stringToSign(request), readText(`${dir}/string_to_sign.txt`));
        assert.equal(signer.signType, 'RSA2');
      });
    }
  }

  for (const dir of cases('fail_sign_wechat_v3_')) {
    it(`${dir}: refused with the vector's code`, () => {
      const input = json(`${dir}/input.json`);
      const expected = json(`${dir}/expect.json`).code;
      const signer = v3Signer(input, 'wasm');
      const request = { method: input.method, url: input.url, body: input.body, timestamp: input.timestamp, nonce: input.nonce };
      assert.throws(() => signer.authorization(request), code(expected));
      assert.throws(() => signer.stringToSign(request), code(expected));
    });
  }

  it('defaults: the clock, a fresh 32-character alphanumeric nonce, an empty body', () => {
    const input = json('platforms/sign_wechat_v3_request_guide/input.json');
    const signer = v3Signer(input, 'auto');
    const before = Math.floor(Date.now() / 1000);
    const a = signer.authorization({ method: 'GET', url: '/v3/certificates' });
    const b = signer.authorization({ method: 'GET', url: '/v3/certificates' });
    assert.ok(Math.abs(a.timestamp - before) <= 5, `${a.timestamp} vs ${before}`);
    assert.match(a.nonce, /^[A-Za-z0-9]{32}$/);
    assert.notEqual(a.nonce, b.nonce);
    assert.ok(a.authorization.includes(`nonce_str="${a.nonce}",timestamp="${a.timestamp}"`), a.authorization);
    // What the defaults filled in is what was signed.
    const again = signer.authorization({ method: 'GET', url: '/v3/certificates', body: '', timestamp: a.timestamp, nonce: a.nonce });
    assert.equal(again.authorization, a.authorization);
  });

  it('k=v signing, the one-off functions and canonicalize throw UNSUPPORTED_OPERATION naming requestHeaders()', () => {
    const input = json('platforms/sign_wechat_v3_request_post/input.json');
    const privateKey = readText(input.key);
    const unsupported = (e) => code('UNSUPPORTED_OPERATION')(e) && e.message.includes('requestHeaders(');
    for (const signer of [v3Signer(input, 'node'), new Signer({ profile: 'wechat-v3', privateKey })]) {
      assert.throws(() => signer.sign({ appid: 'wx1' }), unsupported);
      assert.throws(() => signer.signParams({ appid: 'wx1' }), unsupported);
      assert.throws(() => signer.canonicalize({ appid: 'wx1' }), unsupported);
    }
    assert.throws(() => sign({ appid: 'wx1' }, { profile: 'wechat-v3', privateKey }), unsupported);
    assert.throws(() => canonicalize({ appid: 'wx1' }, { profile: 'wechat-v3' }), code('UNSUPPORTED_OPERATION'));
    // Without the merchant id and certificate serial there is no header to build.
    const bare = new Signer({ profile: 'wechat-v3', privateKey });
    assert.throws(() => bare.authorization({ method: 'GET', url: '/v3/certificates' }), (e) => code('FIELD_MISSING')(e) && e.message.includes('mchId'));
    assert.throws(() => new Signer({ profile: 'wechat-v3', privateKey, mchId: '1' }), code('FIELD_MISSING'));
  });

  it('a parameter Verifier for a header-signed profile throws UNSUPPORTED_OPERATION (NotificationVerifier checks those)', () => {
    const publicKey = readText('platforms/keys/wechatpay_pubkey_public.pem');
    const params = { appid: 'wx1', 'Wechatpay-Signature': 'c2ln' };
    for (const verifier of [
      new Verifier({ profile: 'wechat-v3', publicKey }),
      new Verifier({ profile: 'standard-webhooks', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }),
    ]) {
      assert.throws(() => verifier.canonicalize(params), code('UNSUPPORTED_OPERATION'));
      assert.throws(() => verifier.verify(params), code('UNSUPPORTED_OPERATION'));
    }
  });

  it('wrong JavaScript types are TypeErrors; options of another profile are refused', () => {
    const input = json('platforms/sign_wechat_v3_request_guide/input.json');
    const signer = v3Signer(input, 'wasm');
    assert.throws(() => signer.authorization({ method: 'GET' }), TypeError);
    assert.throws(() => signer.authorization({ method: 'GET', url: '/v3/x', timestamp: 1.5 }), TypeError);
    assert.throws(() => signer.authorization({ method: 'GET', url: '/v3/x', body: {} }), TypeError);
    assert.throws(() => signer.authorization({ method: 'GET', url: '/v3/x', misspelt: 1 }), TypeError);
    assert.throws(() => signer.stringToSign({ method: 'GET', url: '/v3/x' }), TypeError);
    assert.throws(() => signer.webhookHeaders({ id: 'm', body: '' }), code('UNSUPPORTED_OPERATION'));
    assert.throws(
      () => new Signer({ profile: 'paysign', privateKey: readText(input.key), mchId: '1', serialNo: 'S' }),
      code('FIELD_INVALID'),
    );
  });
});

describe('Standard Webhooks headers', () => {
  for (const dir of cases('sign_standard_webhooks_')) {
    it(`${dir}: the vector's three headers`, () => {
      const input = json(`${dir}/input.json`);
      const signer = new Signer({ profile: 'standard-webhooks', secret: secretText(input.secret) });
      const headers = signer.webhookHeaders({ id: input.id, body: input.body, timestamp: input.timestamp });
      const printed = Object.entries(headers).map(([k, v]) => `${k}: ${v}\n`).join('');
      assert.equal(printed, readText(`${dir}/headers.txt`));
      assert.throws(() => signer.sign({ test: '2432232314' }), code('UNSUPPORTED_OPERATION'));
      assert.throws(() => signer.signParams({ test: '2432232314' }), (e) => e.message.includes('requestHeaders('));
      assert.throws(() => signer.authorization({ method: 'GET', url: '/v3/x' }), code('UNSUPPORTED_OPERATION'));
    });
  }

  for (const dir of cases('fail_sign_standard_webhooks_')) {
    it(`${dir}: refused with the vector's code`, () => {
      const input = json(`${dir}/input.json`);
      const expected = json(`${dir}/expect.json`).code;
      assert.throws(() => new Signer({ profile: 'standard-webhooks', secret: secretText(input.secret) }), code(expected));
    });
  }

  it('the timestamp defaults to the clock and the id is required', () => {
    const signer = new Signer({ profile: 'standard-webhooks', secret: secretText('platforms/keys/whsec_published.txt') });
    const now = Math.floor(Date.now() / 1000);
    const headers = signer.webhookHeaders({ id: 'msg_1', body: '{}' });
    assert.ok(Math.abs(Number(headers['webhook-timestamp']) - now) <= 5);
    assert.throws(() => signer.webhookHeaders({ body: '{}' }), TypeError);
    assert.throws(() => signer.webhookHeaders({ id: '', body: '{}' }), code('FIELD_MISSING'));
  });
});

describe('requestHeaders: one call for every header-signed profile', () => {
  for (const dir of cases('sign_wechat_v3_')) {
    const input = json(`${dir}/input.json`);
    const request = { method: input.method, url: input.url, body: input.body, timestamp: input.timestamp, nonce: input.nonce };
    for (const provider of rsaProviders) {
      it(`${dir}: the vector's Authorization header (provider ${provider})`, async () => {
        const signer = v3Signer(input, provider);
        const result = await syncAndAsync(provider, () => signer.requestHeaders(request), () => signer.requestHeadersAsync(request));
        assert.deepEqual(result, {
          headers: { Authorization: readText(`${dir}/authorization.txt`).trim() },
          timestamp: input.timestamp,
          nonce: input.nonce,
        });
      });
    }
  }

  for (const dir of cases('sign_standard_webhooks_')) {
    it(`${dir}: the vector's three headers and string to sign, sync and async`, async () => {
      const input = json(`${dir}/input.json`);
      const signer = new Signer({ profile: 'standard-webhooks', secret: secretText(input.secret) });
      const message = { id: input.id, body: input.body, timestamp: input.timestamp };
      const expected = readText(`${dir}/headers.txt`);
      for (const result of [signer.requestHeaders(message), await signer.requestHeadersAsync(message)]) {
        const printed = Object.entries(result.headers).map(([k, v]) => `${k}: ${v}\n`).join('');
        assert.equal(printed, expected);
        assert.equal(result.timestamp, input.timestamp);
        assert.equal('nonce' in result, false, 'Standard Webhooks signs no nonce');
      }
      assert.equal(signer.stringToSign(message), `${input.id}.${input.timestamp}.${input.body}`);
    });
  }

  it("a value the profile does not sign is a TypeError; a profile's own method on another is UNSUPPORTED_OPERATION", () => {
    const input = json('platforms/sign_wechat_v3_request_guide/input.json');
    const v3 = v3Signer(input, 'wasm');
    const hooks = new Signer({ profile: 'standard-webhooks', secret: secretText('platforms/keys/whsec_published.txt') });
    assert.throws(() => v3.requestHeaders({ method: 'GET', url: '/v3/x', id: 'msg_1' }), TypeError);
    assert.throws(() => hooks.requestHeaders({ id: 'msg_1', nonce: 'n' }), TypeError);
    assert.throws(() => hooks.requestHeaders({ id: 'msg_1', method: 'POST' }), TypeError);
    assert.throws(() => hooks.requestHeaders({ body: '{}' }), TypeError);
    assert.throws(() => hooks.stringToSign({ id: 'msg_1', body: '{}' }), TypeError);
    const sendsWebhookHeaders = (e) => code('UNSUPPORTED_OPERATION')(e) && e.message.includes('webhook-id') && e.message.includes('requestHeaders()');
    assert.throws(() => hooks.authorization({ method: 'GET', url: '/v3/x' }), sendsWebhookHeaders);
    assert.throws(() => v3.webhookHeaders({ id: 'm', body: '' }), (e) => code('UNSUPPORTED_OPERATION')(e) && e.message.includes('Authorization'));
  });

  it('a profile whose signature is a field has no request headers', async () => {
    const keyed = new Signer({ profile: 'alipay', privateKey: readText('platforms/keys/alipay_app_private.pem') });
    const unsupported = (e) => code('UNSUPPORTED_OPERATION')(e) && e.message.includes('alipay');
    assert.throws(() => keyed.requestHeaders({ method: 'GET', url: '/x' }), unsupported);
    await assert.rejects(keyed.requestHeadersAsync({ method: 'GET', url: '/x' }), unsupported);
    assert.throws(() => keyed.stringToSign({ method: 'GET', url: '/x', timestamp: 1, nonce: 'n' }), unsupported);
    assert.throws(() => keyed.authorization({ method: 'GET', url: '/x' }), (e) => code('UNSUPPORTED_OPERATION')(e) && e.message.includes('sign()'));
  });
});

describe('Alipay certificate mode', () => {
  for (const dir of cases('sign_alipay_cert_mode_')) {
    const input = json(`${dir}/input.json`);
    const expect = json(`${dir}/expect.json`);
    for (const provider of rsaProviders) {
      it(`${dir}: signParams adds both SNs and the vector's signature (provider ${provider})`, async () => {
        const signer = new Signer({
          profile: 'alipay',
          signType: input.sign_type,
          privateKey: readText(input.key),
          appCert: readText(input.app_cert),
          alipayRootCert: readText(input.alipay_root_cert),
          provider,
        });
        const signed = await syncAndAsync(provider, () => signer.signParams(input.params), () => signer.signParamsAsync(input.params));
        assert.deepEqual(signed, expect.signed);
        assert.equal(signer.canonicalize(signed), readText(`${dir}/canonical.txt`));
      });
    }
    it(`${dir}: certificates as DER bytes give the same SNs`, () => {
      const der = (rel) => {
        const pem = readText(rel);
        const body = pem.split('-----BEGIN CERTIFICATE-----')[1].split('-----END CERTIFICATE-----')[0];
        return new Uint8Array(Buffer.from(body.replace(/\s+/g, ''), 'base64'));
      };
      const signer = new Signer({
        profile: 'alipay',
        signType: input.sign_type,
        privateKey: readText(input.key),
        appCert: der(input.app_cert),
        alipayRootCert: readText(input.alipay_root_cert),
      });
      const signed = signer.signParams(Object.fromEntries(input.params));
      assert.equal(signed.app_cert_sn, expect.app_cert_sn);
      assert.equal(signed.alipay_root_cert_sn, expect.alipay_root_cert_sn);
    });
  }

  for (const dir of cases('fail_sign_alipay_cert_mode_')) {
    it(`${dir}: refused with the vector's code`, () => {
      const input = json(`${dir}/input.json`);
      const expected = json(`${dir}/expect.json`).code;
      const options = { profile: 'alipay', signType: input.sign_type, privateKey: readText(input.key), appCert: readText(input.app_cert), alipayRootCert: readText(input.alipay_root_cert) };
      assert.throws(() => new Signer(options), code(expected));
    });
  }

  it('needs both certificates, and only with the alipay profile', () => {
    const input = json('platforms/sign_alipay_cert_mode_request/input.json');
    const base = { signType: 'RSA2', privateKey: readText(input.key) };
    assert.throws(() => new Signer({ ...base, profile: 'alipay', appCert: readText(input.app_cert) }), TypeError);
    assert.throws(
      () => new Signer({ ...base, profile: 'paysign', appCert: readText(input.app_cert), alipayRootCert: readText(input.alipay_root_cert) }),
      code('FIELD_INVALID'),
    );
  });
});
