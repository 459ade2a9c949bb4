// `require('paysign')` (CommonJS) works and shares one instance with `import`.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { describe, it } = require('node:test');

const paysign = require('paysign');

const vectors = path.join(__dirname, '../vectors');
const read = (rel) => fs.readFileSync(path.join(vectors, rel), 'utf8');

describe('require("paysign")', () => {
  it('signs and verifies the RSA2 vector', () => {
    const pairs = JSON.parse(read('sign_paysign_rsa2_request/params.json'));
    const signer = new paysign.Signer({ privateKey: read('keys/merchant_private_pkcs8.pem') });
    const signature = signer.sign(pairs);
    assert.equal(signature, read('sign_paysign_rsa2_request/signature.txt'));
    const verifier = new paysign.Verifier({ publicKey: read('keys/merchant_public_spki.pem'), message: 'request' });
    assert.deepEqual(verifier.verify([...pairs, ['sign', signature]]), { valid: true, signType: 'RSA2' });
  });

  it('throws PaysignError with a code', () => {
    assert.throws(
      () => paysign.canonicalize({}, { profile: 'nope' }),
      (e) => e instanceof paysign.PaysignError && e.code === 'UNSUPPORTED_PROFILE',
    );
  });

  it('is the same module instance as import("paysign")', async () => {
    const esm = await import('paysign');
    assert.equal(esm.PaysignError, paysign.PaysignError);
    assert.equal(esm.Signer, paysign.Signer);
  });
});
