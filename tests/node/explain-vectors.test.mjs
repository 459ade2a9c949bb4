// explain() on every case of tests/vectors/explain/ (made by generate_explain.py with Python's
// urllib and openssl; Rust and the CLI run the same files): the findings expected, in order
// and naming this package's options, and a verdict that is the NotificationVerifier's —
// never `verified` for a message it refuses.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { NotificationVerifier, PaysignError, Verifier, explain } from 'paysign';
import { readBytes, readText, vectorsDir } from './vectors.mjs';

const cases = fs
  .readdirSync(path.join(vectorsDir, 'explain'))
  .sort()
  .map((name) => ({
    name,
    body: readBytes(`explain/${name}/body.bin`),
    request: JSON.parse(readText(`explain/${name}/request.json`)),
    expect: JSON.parse(readText(`explain/${name}/expect.json`)),
  }));

/** A secret file's text, one trailing newline dropped (as the CLI and Rust read it). */
const secretFile = (rel) => readText(rel).replace(/\r?\n$/, '');

/** The verifier's options a vector's request.json stands for. */
function settings(r) {
  const out = { profile: r.profile };
  if (r.app_id !== null) out.appId = r.app_id;
  if (r.decryption_key !== null) out.decryptionKey = secretFile(r.decryption_key);
  return out;
}

/** explain's options: every key a labelled candidate, every secret. */
function explainOptions(r) {
  const options = { ...settings(r), message: r.message, signTypes: r.accept, now: r.now, headers: r.headers };
  if (r.content_type !== null) options.contentType = r.content_type;
  if (r.keys.length > 0) options.publicKeys = Object.fromEntries(r.keys.map((k) => [k.id, readText(k.file)]));
  if (r.secrets.length === 1) options.secret = secretFile(r.secrets[0]);
  if (r.secrets.length > 1) options.secrets = r.secrets.map(secretFile);
  return options;
}

/** What a verifier configured with the first key or secret answers: null, or the code. */
function verifyCode({ request: r, body }) {
  try {
    const first = r.keys[0];
    const credential = first === undefined
      ? { secret: secretFile(r.secrets[0]) }
      : r.profile === 'wechat-v3'
        ? { publicKeys: { [first.id]: readText(first.file) } }
        : { publicKey: readText(first.file) };
    if (r.message === 'request') {
      new Verifier({ profile: r.profile, message: 'request', signTypes: r.accept, ...credential })
        .verify(Object.fromEntries(new URLSearchParams(Buffer.from(body).toString())));
    } else {
      const verifier = new NotificationVerifier({ ...settings(r), accept: r.accept, ...credential });
      verifier.verify(body, { now: r.now, contentType: r.content_type ?? undefined, headers: r.headers });
    }
    return null;
  } catch (e) {
    if (e instanceof PaysignError) return e.code;
    throw e;
  }
}

describe('explain vectors', () => {
  assert.ok(cases.length >= 15, `${cases.length} explain vectors`);
  for (const c of cases) {
    it(`${c.name}: ${c.expect.findings.join(', ')}`, () => {
      const d = explain(c.body, explainOptions(c.request));
      assert.deepEqual(d.findings.map((f) => f.code), c.expect.findings, JSON.stringify(d.findings));
      assert.equal(d.verified, c.expect.verified);
      for (const f of d.findings) {
        // The package's words: never a flag or a Rust path.
        assert.doesNotMatch(f.message, /--[a-z]|::|`paysign /, f.message);
      }
      const code = verifyCode(c);
      assert.equal(code, c.expect.verify, 'the verifier');
      // What the verifier refuses, explain never says verifies, unless another candidate
      // key than the one the verifier was given signed it.
      if (code !== null && d.verified) assert.deepEqual(d.findings.map((f) => f.code), ['OTHER_KEY_MATCHES']);
    });
  }

  it('findings and errors name the options of this package', () => {
    const secretForRsa = cases.find((c) => c.name === 'secret_for_rsa');
    const d = explain(secretForRsa.body, explainOptions(secretForRsa.request));
    assert.equal(d.findings[0].message, "RSA2 is verified with the sender's RSA public key, not a shared secret: pass `publicKey` (or labelled `publicKeys`)");
    const v3 = cases.find((c) => c.name === 'wechat_v3_without_apiv3_key');
    const noKey = explain(v3.body, explainOptions(v3.request));
    assert.match(noKey.findings[0].message, /pass `decryptionKey`$/);
    // A core error thrown to JavaScript: the option, not the Rust builder method or a flag.
    const keys = Object.fromEntries(v3.request.keys.map((k) => [k.id, readText(k.file)]));
    assert.throws(
      () => new NotificationVerifier({ profile: 'wechat-v3', publicKeys: keys }),
      (e) => e.code === 'CREDENTIAL_MISMATCH' && e.message.includes('with `decryptionKey`, or') && !/::|--/.test(e.message),
    );
    assert.throws(
      () => new NotificationVerifier({ profile: 'wechat-v3', publicKeys: keys, signaturesOnly: true }).verify(v3.body, { now: v3.request.now, headers: v3.request.headers }),
      (e) => e.code === 'CREDENTIAL_MISMATCH' && /pass `decryptionKey`$/.test(e.message) && !/::|--/.test(e.message),
    );
    assert.throws(
      () => new NotificationVerifier({ profile: 'wechat-v3', publicKey: readText(v3.request.keys[0].file) }),
      (e) => e.code === 'CREDENTIAL_MISMATCH' && e.message.includes('pass `publicKeys: { [id]: key }`'),
    );
    const refund = readBytes('platforms/fail_notify_wechat_v3_refund_app_id_only/body.bin');
    const refundRequest = JSON.parse(readText('platforms/fail_notify_wechat_v3_refund_app_id_only/request.json'));
    assert.throws(
      () => new NotificationVerifier({ profile: 'wechat-v3', publicKeys: keys, decryptionKey: secretFile(refundRequest.secrets[0]), appId: refundRequest.app_id })
        .verify(refund, { now: refundRequest.now, headers: refundRequest.headers }),
      (e) => e.code === 'APP_ID_ABSENT' && e.message.includes('configure the merchant id (`mchId`)'),
    );
    assert.throws(
      () => new NotificationVerifier({ secret: 'k', leaseSecs: 0 }),
      (e) => e.code === 'FIELD_INVALID' && e.message.startsWith('`leaseSecs` is invalid'),
    );
  });
});
