// 国密 in the npm package: the SM module (the runtime with SM2, SM3 and SM4 compiled in) builds
// every object the runtime module cannot (an SM2 key, an SM2 or SM3 sign type), chosen once
// per object. The platform vectors made by OpenSSL and Python `cryptography` run through it
// (the same ones Rust and the CLI run), and the npm `sm-crypto-v2` checks what paysign signs
// and signs what paysign verifies: an independent JavaScript implementation, both ways.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

import { sm2, sm3 } from 'sm-crypto-v2';
import { NotificationVerifier, PaysignError, Signer, Verifier, explain } from 'paysign';
import { asExpected, notifyCases, readText, root } from './vectors.mjs';

const USER_ID = '1234567812345678';
const merchantKeyPem = readText('platforms/keys/sm2_merchant_private.pem');
const merchantScalarHex = readText('platforms/keys/sm2_merchant_private.hex').trim();
const merchantPublicHex = sm2.getPublicKeyFromPrivateKey(merchantScalarHex);
const b64ToHex = (b64) => Buffer.from(b64, 'base64').toString('hex');
const hexToB64 = (hex) => Buffer.from(hex, 'hex').toString('base64');

const order = {
  app_id: '2021000122600001',
  method: 'alipay.trade.query',
  charset: 'utf-8',
  timestamp: '2026-11-21 00:00:00',
  version: '1.0',
  biz_content: '{"out_trade_no":"M20261120000002"}',
};

describe('国密 (SM2, SM3, SM4) in the npm package', () => {
  describe('the platform vectors, through the SM module', () => {
    const valid = notifyCases({ failing: false, sm: true });
    const failing = notifyCases({ failing: true, sm: true });

    it('has SM vectors of every platform that uses SM', () => {
      const profiles = new Set([...valid, ...failing].map((c) => c.request.profile));
      assert.deepEqual([...profiles].sort(), ['alipay', 'unionpay', 'wechat-v3']);
      assert.ok(valid.length >= 6 && failing.length >= 6, `${valid.length} valid, ${failing.length} failing`);
    });

    for (const c of valid) {
      it(`${c.name}: verify and verifyAsync read it to its fields`, async () => {
        for (const call of ['verify', 'verifyAsync']) {
          const verifier = new NotificationVerifier(c.options);
          const n = await verifier[call](c.body, c.call);
          assert.deepEqual(asExpected(n, c.expect.notification), c.expect.notification, `${c.name} / ${call}`);
          verifier.free();
        }
      });
    }

    for (const c of failing) {
      it(`${c.name}: ${c.expect.code}`, async () => {
        const verifier = new NotificationVerifier(c.options);
        assert.throws(() => verifier.verify(c.body, c.call), (e) => e instanceof PaysignError && e.code === c.expect.code);
        await assert.rejects(verifier.verifyAsync(c.body, c.call), (e) => e instanceof PaysignError && e.code === c.expect.code);
      });
    }
  });

  describe('SM2 with sm-crypto-v2, both ways', () => {
    it('paysign signs (Alipay sign_type=SM2), sm-crypto-v2 verifies with the user id, and not with another', () => {
      for (const privateKey of [merchantKeyPem, merchantScalarHex]) {
        const signer = new Signer({ profile: 'alipay', privateKey });
        assert.equal(signer.signType, 'SM2', 'an SM2 key signs SM2 by default');
        const signed = signer.signParams(order);
        assert.equal(signed.sign_type, 'SM2');
        // Alipay signs sign_type in requests: the string is that of the signed parameters.
        const canonical = signer.canonicalize({ ...order, sign_type: 'SM2' });
        const signature = b64ToHex(signed.sign);
        assert.ok(sm2.doVerifySignature(canonical, signature, merchantPublicHex, { der: true, hash: true, userId: USER_ID }));
        assert.ok(!sm2.doVerifySignature(canonical, signature, merchantPublicHex, { der: true, hash: true, userId: 'ALICE123@YAHOO.COM' }));
        assert.ok(!sm2.doVerifySignature(`${canonical}x`, signature, merchantPublicHex, { der: true, hash: true, userId: USER_ID }));
        signer.free();
      }
    });

    it('sm-crypto-v2 signs (DER and r‖s), paysign verifies with the public key as hex or PEM', () => {
      const canonical = new Signer({ profile: 'alipay', privateKey: merchantKeyPem }).canonicalize({ ...order, sign_type: 'SM2' });
      const der = sm2.doSignature(canonical, merchantScalarHex, { der: true, hash: true, userId: USER_ID });
      const raw = sm2.doSignature(canonical, merchantScalarHex, { der: false, hash: true, userId: USER_ID });
      const publicPem = readText('platforms/keys/sm2_merchant_public.pem');
      for (const publicKey of [merchantPublicHex, publicPem]) {
        const verifier = new Verifier({ profile: 'alipay', publicKey, message: 'request' });
        assert.deepEqual(verifier.accepted, ['SM2']);
        for (const signature of [der, raw]) {
          assert.equal(verifier.verify({ ...order, sign_type: 'SM2', sign: hexToB64(signature) }).valid, true);
        }
        const tampered = { ...order, biz_content: '{"out_trade_no":"M20261120000003"}', sign_type: 'SM2', sign: hexToB64(der) };
        assert.throws(() => verifier.verify(tampered), (e) => e.code === 'SIGNATURE_MISMATCH');
        const otherUser = sm2.doSignature(canonical, merchantScalarHex, { der: true, hash: true, userId: 'ALICE123@YAHOO.COM' });
        assert.throws(() => verifier.verify({ ...order, sign_type: 'SM2', sign: hexToB64(otherUser) }), (e) => e.code === 'SIGNATURE_MISMATCH');
      }
    });

    it('UnionPay signMethod 12 is sm3(string + "&" + sm3(secureKey)), as sm-crypto-v2 computes it', () => {
      const params = { merId: '777290058110048', orderId: 'M20261120000002', txnAmt: '12800', reqReserved: '' };
      const signer = new Signer({ profile: 'unionpay', signType: 'SM3', secret: '88888888' });
      const signed = signer.signParams(params);
      assert.equal(signed.signMethod, '12');
      const canonical = signer.canonicalize({ ...params, signMethod: '12' });
      assert.equal(signed.signature, sm3(`${canonical}&${sm3('88888888')}`));
    });
  });

  it('explain names an SM2 signature made without the user id (OpenSSL 3 without distid)', () => {
    const pairs = [
      ['app_id', '2021000122600001'],
      ['notify_id', '2026112100222000002177846880sm9'],
      ['notify_time', '2026-11-21 00:00:05'],
      ['out_trade_no', 'M20261120000009'],
      ['total_amount', '128.00'],
      ['trade_status', 'TRADE_SUCCESS'],
    ];
    const canonical = pairs.map(([k, v]) => `${k}=${v}`).join('&');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paysign-sm-'));
    try {
      fs.writeFileSync(path.join(dir, 'msg'), canonical);
      const key = path.join(root, 'tests/vectors/platforms/keys/sm2_platform_private.pem');
      const signed = spawnSync('openssl', ['pkeyutl', '-sign', '-rawin', '-digest', 'sm3', '-inkey', key, '-in', path.join(dir, 'msg'), '-out', path.join(dir, 'sig')]);
      assert.equal(signed.status, 0, String(signed.stderr));
      const signature = fs.readFileSync(path.join(dir, 'sig')).toString('base64');
      const body = new URLSearchParams([...pairs, ['sign_type', 'SM2'], ['sign', signature]]).toString();
      const publicKey = readText('platforms/keys/sm2_platform_public.pem');
      const options = { profile: 'alipay', publicKey, appId: '2021000122600001' };
      assert.throws(
        () => new NotificationVerifier(options).verify(body, { contentType: 'application/x-www-form-urlencoded', now: 1795190410 }),
        (e) => e.code === 'SIGNATURE_MISMATCH',
      );
      const diagnosis = explain(body, { ...options, signTypes: ['SM2'], contentType: 'application/x-www-form-urlencoded', now: 1795190410 });
      assert.equal(diagnosis.verified, false);
      assert.deepEqual(diagnosis.findings.map((f) => f.code), ['SM2_USER_ID']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('choosing the module', () => {
    it('an RSA key stays in the runtime module; an SM sign type the runtime refuses moves to the SM module', () => {
      const rsa = new Signer({ profile: 'alipay', privateKey: readText('keys/merchant_private_pkcs8.pem') });
      assert.equal(rsa.signType, 'RSA2');
      // A sign type the profile lacks is refused by the runtime, never retried elsewhere.
      assert.throws(() => new Signer({ profile: 'wechat-v2', privateKey: merchantKeyPem, signType: 'SM2' }), (e) => e.code === 'UNSUPPORTED_SIGN_TYPE');
      // A P-256 key is named by the SM module (the runtime only knows it is an EC key).
      assert.throws(() => new Verifier({ profile: 'alipay', publicKey: readText('platforms/keys/p256_public.pem') }), (e) => e.code === 'KEY_INVALID' && /P-256/.test(e.message));
      // An SM2 key for RSA2: a credential mismatch, from whichever module reads it.
      assert.throws(() => new Signer({ profile: 'alipay', signType: 'RSA2', privateKey: merchantKeyPem }), (e) => e.code === 'CREDENTIAL_MISMATCH');
    });

    it('paysign/web builds SM objects only after initSm, and says so', () => {
      // A fresh process: a fresh, uninitialised paysign/web.
      const script = `
        import fs from 'node:fs';
        import * as web from 'paysign/web';
        web.initSync(fs.readFileSync(${JSON.stringify(path.join(root, 'sdk-wasm/pkg/web/paysign_wasm_bg.wasm'))}));
        // A Signer is built in the signing module first (issue 22), which then refers 国密 here.
        web.initSigningSync(fs.readFileSync(${JSON.stringify(path.join(root, 'sdk-wasm/pkg/web/paysign_signing_bg.wasm'))}));
        const key = fs.readFileSync(${JSON.stringify(path.join(root, 'tests/vectors/platforms/keys/sm2_merchant_private.pem'))}, 'utf8');
        let before;
        try { new web.Signer({ profile: 'alipay', privateKey: key }); before = 'built'; } catch (e) { before = e.message; }
        web.initSmSync(fs.readFileSync(${JSON.stringify(path.join(root, 'sdk-wasm/pkg/web/paysign_sm_bg.wasm'))}));
        await web.initSm();
        const signer = new web.Signer({ profile: 'alipay', privateKey: key });
        console.log(JSON.stringify({ before, signType: signer.signType, signed: typeof signer.sign({ a: '1' }) }));
      `;
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stderr, '');
      const out = JSON.parse(run.stdout);
      assert.match(out.before, /SM.*third module.*await initSm\(\)/);
      assert.equal(out.signType, 'SM2');
      assert.equal(out.signed, 'string');
    });
  });

  it('the SM module is its own file, the runtime module has no SM code', () => {
    const runtime = fs.readFileSync(path.join(root, 'sdk-wasm/pkg/web/paysign_wasm_bg.wasm'));
    const smModule = fs.readFileSync(path.join(root, 'sdk-wasm/pkg/web/paysign_sm_bg.wasm'));
    // SM3's initial value (GB/T 32905, IV 7380166f…) as the compiled constant, big-endian words
    // stored little-endian: in the SM module, never in the runtime.
    const iv = Buffer.from([0x6f, 0x16, 0x80, 0x73]);
    assert.ok(smModule.includes(iv), 'the SM module has SM3');
    assert.ok(!runtime.includes(iv), 'the runtime module has no SM3');
  });
});
