// UnionPay through Signer and Verifier with every crypto provider. UnionPay's RSA
// (`signMethod` 01) signs the hex SHA-256 of the canonical string, not the string, and
// names the sign type `01` on the wire: what a host provider signs and what `signParams`
// adds must both come from the core, or `node:crypto` and WebCrypto sign the wrong bytes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { PaysignError, Signer, Verifier } from 'paysign';
import { inputForms, readText, rsaProviders, syncAndAsync } from './vectors.mjs';

const rsa = {
  dir: 'platforms/sign_unionpay_01_request',
  certId: JSON.parse(readText('platforms/sign_unionpay_01_request/expect.json')).cert_id,
  privateKey: readText('platforms/keys/unionpay_merchant_private.pem'),
  certificate: readText('platforms/keys/unionpay_merchant_cert.pem'),
};
const pairsOf = (dir) => JSON.parse(readText(`${dir}/params.json`));
const signatureOf = (dir) => readText(`${dir}/signature.txt`).trim();
const canonicalOf = (dir) => readText(`${dir}/canonical.txt`);

describe('UnionPay signMethod 01 (RSA2 over the hex SHA-256)', () => {
  const unsigned = [...pairsOf(rsa.dir), ['certId', rsa.certId]];
  const expected = signatureOf(rsa.dir);

  for (const provider of rsaProviders) {
    it(`signParams adds signMethod=01 and the vector's signature, which verifies (provider ${provider})`, async () => {
      const signer = new Signer({ profile: 'unionpay', signType: 'RSA2', privateKey: rsa.privateKey, provider });
      const params = Object.fromEntries(unsigned);
      const signed = await syncAndAsync(provider, () => signer.signParams(params), () => signer.signParamsAsync(params));
      assert.equal(signed.signMethod, '01');
      assert.equal(signed.certId, rsa.certId);
      assert.equal(signed.signature, expected);
      assert.equal(signer.canonicalize(signed), canonicalOf(rsa.dir));

      const verifier = new Verifier({ profile: 'unionpay', message: 'request', publicKey: rsa.certificate, provider });
      const result = provider === 'webcrypto' ? await verifier.verifyAsync(signed) : verifier.verify(signed);
      assert.deepEqual(result, { valid: true, signType: 'RSA2' });
      const tampered = { ...signed, txnAmt: '6755' };
      const isMismatch = (e) => e instanceof PaysignError && e.code === 'SIGNATURE_MISMATCH';
      await assert.rejects(verifier.verifyAsync(tampered), isMismatch);
      if (provider !== 'webcrypto') assert.throws(() => verifier.verify(tampered), isMismatch);
    });

    it(`sign over the complete message gives the vector's signature (provider ${provider})`, async () => {
      const signer = new Signer({ profile: 'unionpay', signType: 'RSA2', privateKey: rsa.privateKey, provider });
      for (const [form, params] of Object.entries(inputForms([...unsigned, ['signMethod', '01']]))) {
        assert.equal(await signer.signAsync(params), expected, `${form} (async)`);
        if (provider !== 'webcrypto') assert.equal(signer.sign(params), expected, `${form} (sync)`);
      }
    });

    it(`signParams refuses a message that names no certificate (provider ${provider})`, async () => {
      const signer = new Signer({ profile: 'unionpay', signType: 'RSA2', privateKey: rsa.privateKey, provider });
      const isMissing = (e) => e instanceof PaysignError && e.code === 'FIELD_MISSING' && /certId/.test(e.message);
      await assert.rejects(signer.signParamsAsync(pairsOf(rsa.dir)), isMissing);
      if (provider !== 'webcrypto') assert.throws(() => signer.signParams(pairsOf(rsa.dir)), isMissing);
    });
  }
});

describe('UnionPay signMethod 11 (SHA-256 with the secure key)', () => {
  const dir = 'platforms/sign_unionpay_11_request';
  it('signParams adds signMethod=11 and the vector’s signature', () => {
    const key = readText('platforms/keys/unionpay_secure_key.txt').replace(/\r?\n$/, '');
    const signer = new Signer({ profile: 'unionpay', signType: 'SHA256', secret: key });
    const signed = signer.signParams(Object.fromEntries(pairsOf(dir)));
    assert.equal(signed.signMethod, '11');
    assert.equal(signed.signature, signatureOf(dir));
    const verifier = new Verifier({ profile: 'unionpay', message: 'request', signType: 'SHA256', secret: key });
    assert.deepEqual(verifier.verify(signed), { valid: true, signType: 'SHA256' });
  });
});

describe('a UnionPay notification through the low-level Verifier', () => {
  const body = readText('platforms/notify_unionpay_01/body.bin');
  const certificate = readText('platforms/keys/unionpay_platform_cert.pem');
  for (const provider of rsaProviders) {
    it(`verifies with provider ${provider}`, async () => {
      const verifier = new Verifier({ profile: 'unionpay', publicKey: certificate, provider });
      const params = new URLSearchParams(body);
      assert.deepEqual(await verifier.verifyAsync(params), { valid: true, signType: 'RSA2' });
      if (provider !== 'webcrypto') assert.deepEqual(verifier.verify(params), { valid: true, signType: 'RSA2' });
    });
  }
});
