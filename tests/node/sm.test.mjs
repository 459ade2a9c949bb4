// 国密 in the npm package. The runtime module is built without SM (its size budget,
// tests/node/install.test.mjs): every case that needs SM2, SM3 or SM4 is refused with the
// typed ALGORITHM_UNAVAILABLE, never verified, never answered with another code. The
// Rust side runs the same vectors for real (sdk-core/tests/platform_vectors.rs, sm.rs).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { NotificationVerifier, Signer, PaysignError } from 'paysign';
import { notifyCases, readText } from './vectors.mjs';


/** The error of building the case's verifier and verifying its body, or null. */
function outcome(c) {
  try {
    const verifier = new NotificationVerifier(c.options);
    verifier.verify(c.body, c.call);
    return null;
  } catch (error) {
    return error;
  }
}

describe('national algorithms (SM2, SM3, SM4) in the npm package', () => {
  const cases = [...notifyCases({ failing: false, sm: true }), ...notifyCases({ failing: true, sm: true })];

  it('has SM vectors to refuse', () => {
    assert.ok(cases.length >= 10, `only ${cases.length} SM cases`);
  });

  for (const c of cases) {
    it(`${c.name}: ALGORITHM_UNAVAILABLE, not a verdict`, () => {
      const error = outcome(c);
      assert.ok(error instanceof PaysignError, `${c.name}: ${error}`);
      assert.equal(error.code, 'ALGORITHM_UNAVAILABLE', `${c.name}: ${error.message}`);
      assert.match(error.message, /SM2\/SM3\/SM4 \(国密\) is not in this build of paysign/);
    });
  }

  it('signing with an SM2 key or as SM3 is refused the same way', () => {
    const sm2Key = readText('platforms/keys/sm2_merchant_private.pem');
    for (const options of [
      { profile: 'alipay', privateKey: sm2Key },
      { profile: 'alipay', signType: 'SM2', privateKey: sm2Key },
      { profile: 'unionpay', signType: 'SM3', secret: '88888888' },
    ]) {
      let error = null;
      try {
        const signer = new Signer(options);
        signer.sign({ merId: '777290058110048', orderId: 'M1', txnAmt: '100' });
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof PaysignError, JSON.stringify(Object.keys(options)));
      assert.equal(error.code, 'ALGORITHM_UNAVAILABLE', error.message);
    }
  });
});
