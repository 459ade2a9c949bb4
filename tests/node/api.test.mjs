// Every export of the package: options, key formats, errors and their codes, wrong types,
// output forms, providers, key pairs, and the memory story (free / Symbol.dispose).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { describe, it } from 'node:test';

import * as paysign from 'paysign';
import {
  PaysignError,
  Signer,
  Verifier,
  canonicalize,
  generateKeyPair,
  generateKeyPairAsync,
  init,
  initSync,
  sign,
  verify,
  verifyAsync,
} from 'paysign';
import { merchantPrivatePem, merchantPublicPem, readBytes, readText, secret, signCases, signedPairs } from './vectors.mjs';

const rsa2 = signCases().find((c) => c.name === 'sign_paysign_rsa2_request');
const md5 = signCases().find((c) => c.name === 'sign_paysign_md5_request');
const testSecret = secret('secret');

/** Asserts `fn` throws a PaysignError with `code` (and a message) — sync or async. */
async function throwsCode(fn, code, label) {
  const check = (e) => {
    assert.ok(e instanceof PaysignError, `${label}: expected PaysignError, got ${e && e.constructor && e.constructor.name}: ${e && e.message}`);
    assert.ok(e instanceof Error);
    assert.equal(e.name, 'PaysignError');
    assert.equal(e.code, code, `${label}: ${e.message}`);
    assert.ok(e.message.length > 10, 'errors explain themselves');
    return true;
  };
  let result;
  try {
    result = fn();
  } catch (e) {
    return check(e);
  }
  if (result && typeof result.then === 'function') {
    await assert.rejects(result, check, label);
    return true;
  }
  assert.fail(`${label}: did not throw`);
}

/** After any error the module must still sign correctly. */
function stillWorks() {
  assert.equal(sign(md5.pairs, { secret: testSecret, signType: 'MD5' }), md5.signature);
}

describe('exports', () => {
  it('exports exactly the documented API', () => {
    assert.deepEqual(Object.keys(paysign).sort(), [
      'NotificationVerifier',
      'PaysignError',
      'Signer',
      'Verifier',
      'buildRequest',
      'buildRequestAsync',
      'canonicalize',
      'explain',
      'formatYuan',
      'generateKeyPair',
      'generateKeyPairAsync',
      'init',
      'initSigning', // issue 22: signing is its own module, loaded early with these
      'initSigningSync',
      'initSm',
      'initSmSync',
      'initSync',
      'initTools',
      'initToolsSync',
      'parseYuan',
      'reconcile',
      'sign',
      'signAsync',
      'testNotification',
      'verify',
      'verifyAsync',
    ]);
  });

  it('init and initSync are no-ops on Node', async () => {
    assert.equal(await init(), undefined);
    assert.equal(initSync(), undefined);
    stillWorks();
  });

  it('the tools module loads on first use, not with the package', () => {
    // A fresh process: which wasm modules has require('paysign') compiled after each step?
    const script = [
      "const paysign = require('paysign');",
      "const loaded = () => Object.keys(require.cache).filter((f) => /paysign_(wasm|tools)\\.js$/.test(f)).map((f) => f.split('/').pop()).sort().join(',');",
      "const steps = [loaded()];",
      "paysign.sign({ a: '1' }, { secret: 's', signType: 'MD5' });",
      "steps.push(loaded());",
      "try { paysign.explain('a=1', { secret: 's' }); } catch (e) { if (!(e instanceof paysign.PaysignError)) throw e; }",
      "steps.push(loaded());",
      "console.log(steps.join(' | '));",
    ].join('\n');
    const out = execFileSync(process.execPath, ['-e', script], { cwd: new URL('.', import.meta.url), encoding: 'utf8' });
    assert.equal(out.trim(), 'paysign_wasm.js | paysign_wasm.js | paysign_tools.js,paysign_wasm.js');
  });

  // Issue 22: a merchant that only verifies never compiles the signing module.
  it('the signing module loads with the first Signer, not with the package nor a verifier', () => {
    const script = [
      "const paysign = require('paysign');",
      "const loaded = () => Object.keys(require.cache).filter((f) => /paysign_(wasm|signing)\\.js$/.test(f)).map((f) => f.split('/').pop()).sort().join(',');",
      "const steps = [loaded()];",
      "new paysign.NotificationVerifier({ secret: 's', accept: ['MD5'] }).free();",
      "try { paysign.verify({ a: '1', sign: 'x' }, { secret: 's', signType: 'MD5', message: 'request' }); } catch (e) { if (!(e instanceof paysign.PaysignError)) throw e; }",
      "steps.push(loaded());",
      "paysign.sign({ a: '1' }, { secret: 's', signType: 'MD5' });",
      "steps.push(loaded());",
      "console.log(steps.join(' | '));",
    ].join('\n');
    const out = execFileSync(process.execPath, ['-e', script], { cwd: new URL('.', import.meta.url), encoding: 'utf8' });
    assert.equal(out.trim(), 'paysign_wasm.js | paysign_wasm.js | paysign_signing.js,paysign_wasm.js');
  });

  it('initSigning and initSigningSync load the signing module early on Node', async () => {
    assert.equal(await paysign.initSigning(), undefined);
    assert.equal(paysign.initSigningSync(), undefined);
    assert.equal(new Signer({ secret: testSecret, signType: 'MD5' }).signType, 'MD5');
  });

  it('initTools and initToolsSync load the tools module early on Node', async () => {
    assert.equal(await paysign.initTools(), undefined);
    assert.equal(paysign.initToolsSync(), undefined);
    const body = new URLSearchParams(signedPairs(md5)).toString();
    const diagnosis = paysign.explain(body, { secret: testSecret, signTypes: ['MD5'], message: 'request' });
    assert.equal(diagnosis.verified, true, JSON.stringify(diagnosis));
  });

  it('PaysignError is a real Error subclass', () => {
    const e = new PaysignError('boom', 'SIGNATURE_MISMATCH');
    assert.ok(e instanceof Error);
    assert.equal(e.code, 'SIGNATURE_MISMATCH');
    assert.equal(e.name, 'PaysignError');
    assert.match(e.stack, /boom/);
  });
});

describe('canonicalize', () => {
  it('defaults to the paysign profile and request messages', () => {
    assert.equal(canonicalize({ b: '2', a: '1', empty: '', sign: 'x' }), 'a=1&b=2');
  });

  it('leaves sign_type out of Alipay notifications only', () => {
    const p = { a: '1', sign_type: 'RSA2', sign: 'x' };
    assert.equal(canonicalize(p, { profile: 'alipay', message: 'request' }), 'a=1&sign_type=RSA2');
    assert.equal(canonicalize(p, { profile: 'alipay', message: 'notification' }), 'a=1');
  });

  it('sorts by UTF-16/byte order and keeps values raw, whatever characters they hold', () => {
    const p = new Map([
      ['b', '1'],
      ['B', '2'],
      ['a_b', 'x&y=z'],
      ['emoji', '💧水'],
      ['nul', 'a\u0000b'],
    ]);
    assert.equal(canonicalize(p), 'B=2&a_b=x&y=z&b=1&emoji=💧水&nul=a\u0000b');
  });

  it('an empty message as the very first call of a process (regression: no input buffer yet)', () => {
    const out = execFileSync(process.execPath, ['-e', "const p = require('paysign'); console.log(JSON.stringify([p.canonicalize({}), p.canonicalize([])]))"], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(out.trim(), '["",""]');
  });

  it('handles large messages (buffers grow)', () => {
    const big = {};
    for (let i = 0; i < 500; i++) big[`k${String(i).padStart(3, '0')}`] = 'v'.repeat(50) + '水';
    const out = canonicalize(big);
    assert.equal(out.split('&').length, 500);
    assert.ok(out.startsWith(`k000=${'v'.repeat(50)}水&k001=`));
  });
});

describe('errors carry the core codes', () => {
  const cases = [
    ['PARAM_DUPLICATE', () => canonicalize([['a', '1'], ['a', '2']])],
    ['PARAM_DUPLICATE', () => canonicalize(new URLSearchParams('a=1&a=2'))],
    ['PARAM_NAME_INVALID', () => canonicalize({ 'a=b': '1' })],
    ['PARAM_NAME_INVALID', () => canonicalize({ '': '1' })],
    ['UNSUPPORTED_PROFILE', () => canonicalize({}, { profile: 'stripe' })],
    ['FIELD_INVALID', () => canonicalize({}, { message: 'letter' })],
    ['UNSUPPORTED_SIGN_TYPE', () => new Signer({ secret: testSecret, signType: 'SHA512' })],
    ['UNSUPPORTED_SIGN_TYPE', () => new Signer({ profile: 'wechat-v2', privateKey: merchantPrivatePem, signType: 'RSA2' })],
    ['CREDENTIAL_MISMATCH', () => new Signer({ profile: 'wechat-v3', secret: testSecret })],
    ['CREDENTIAL_MISMATCH', () => new Signer({ profile: 'wechat-v2', privateKey: merchantPrivatePem })],
    ['CREDENTIAL_MISMATCH', () => new Signer({ privateKey: merchantPrivatePem, signType: 'MD5' })],
    ['CREDENTIAL_MISMATCH', () => new Signer({})],
    ['CREDENTIAL_MISMATCH', () => new Verifier({ profile: 'standard-webhooks', publicKey: merchantPublicPem })],
    ['CREDENTIAL_MISMATCH', () => new Verifier({ publicKey: merchantPublicPem, signTypes: ['RSA2', 'MD5'] })],
    ['SECRET_EMPTY', () => new Signer({ secret: '', signType: 'MD5' })],
    ['SECRET_IS_A_KEY', () => new Signer({ secret: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n', signType: 'HMAC-SHA256' })],
    ['KEY_INVALID', () => new Signer({ privateKey: 'not a key' })],
    ['KEY_INVALID', () => new Signer({ privateKey: '' })],
    ['KEY_TOO_SMALL', () => new Signer({ privateKey: readText('keys/weak_1024_private.pem') })],
    ['KEY_KIND_MISMATCH', () => new Signer({ privateKey: merchantPublicPem })],
    ['KEY_KIND_MISMATCH', () => new Verifier({ publicKey: merchantPrivatePem })],
    ['KEY_ENCRYPTED', () => new Signer({ privateKey: '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n' })],
    ['SIGNATURE_MISSING', () => verify(rsa2.pairs, { publicKey: merchantPublicPem, message: 'request' })],
    ['SIGNATURE_MISSING', () => verify(signedPairs(rsa2, ''), { publicKey: merchantPublicPem, message: 'request' })],
    ['SIGNATURE_MALFORMED', () => verify(signedPairs(rsa2, '***'), { publicKey: merchantPublicPem, message: 'request', provider: 'node' })],
    ['SIGNATURE_MALFORMED', () => verify(signedPairs(rsa2, 'AAAA'), { publicKey: merchantPublicPem, message: 'request', provider: 'wasm' })],
    ['SIGNATURE_MALFORMED', () => verifyAsync(signedPairs(rsa2, 'AAAA'), { publicKey: merchantPublicPem, message: 'request', provider: 'webcrypto' })],
    ['SIGNATURE_MALFORMED', () => verify(signedPairs(md5, 'xyz'), { secret: testSecret, signType: 'MD5', message: 'request' })],
    [
      'SIGN_TYPE_NOT_ALLOWED',
      () => verify(signedPairs(md5), { publicKey: merchantPublicPem, message: 'request' }),
    ],
    [
      'SIGN_TYPE_MISSING',
      () =>
        verify(
          signedPairs(rsa2).filter(([k]) => k !== 'sign_type'),
          { publicKey: merchantPublicPem, message: 'request', signTypes: ['RSA', 'RSA2'] },
        ),
    ],
  ];
  for (const [code, fn] of cases) {
    it(`${code}: ${fn.toString().slice(6, 90)}`, async () => {
      await throwsCode(fn, code, code);
      stillWorks();
    });
  }

  it('KEY_KIND_MISMATCH says what to pass, in the phrasing of the core and the CLI', () => {
    assert.throws(
      () => new Verifier({ publicKey: merchantPrivatePem }),
      (e) => e.code === 'KEY_KIND_MISMATCH' && e.message.startsWith("expected a public key but got a private key: verifying needs the sender's public key"),
    );
    assert.throws(
      () => new Signer({ privateKey: merchantPublicPem }),
      (e) => e.code === 'KEY_KIND_MISMATCH' && e.message.startsWith('expected a private key but got a public key: signing needs your private key'),
    );
  });

  it('the message cannot choose its sign type (downgrade to MD5 with the public key as secret)', async () => {
    const forged = rsa2.pairs.map(([k, v]) => [k, k === 'sign_type' ? 'MD5' : v]);
    // The attacker's own MD5 over the string with the public key as the "secret" (paysign
    // itself refuses a key as a secret: SECRET_IS_A_KEY).
    const sig = crypto.createHash('md5').update(`${canonicalize(forged)}&key=${merchantPublicPem}`).digest('hex').toUpperCase();
    for (const provider of ['wasm', 'node', 'webcrypto']) {
      const v = new Verifier({ publicKey: merchantPublicPem, message: 'request', provider });
      await throwsCode(() => v.verifyAsync([...forged, ['sign', sig]]), 'SIGN_TYPE_NOT_ALLOWED', provider);
    }
  });

  it('a different key is a mismatch with every provider', async () => {
    const gateway = readText('keys/gateway_public_spki.pem');
    for (const provider of ['wasm', 'node', 'webcrypto']) {
      const v = new Verifier({ publicKey: gateway, message: 'request', provider });
      await throwsCode(() => v.verifyAsync(signedPairs(rsa2)), 'SIGNATURE_MISMATCH', provider);
    }
  });
});

describe('one default sign type per profile and credential (as the core and the CLI)', () => {
  // [profile, with a key, with a secret]; null: the credential fits no sign type of the profile.
  const table = [
    ['paysign', 'RSA2', 'HMAC-SHA256'],
    ['alipay', 'RSA2', 'MD5'],
    ['wechat-v2', null, 'MD5'],
    ['wechat-v3', 'RSA2', null],
    ['unionpay', 'RSA2', 'SHA256'],
    ['standard-webhooks', null, 'HMAC-SHA256'],
  ];
  const whsec = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
  for (const [profile, withKey, withSecret] of table) {
    const secretFor = profile === 'standard-webhooks' ? whsec : testSecret;
    it(`${profile}: key ${withKey ?? '-'}, secret ${withSecret ?? '-'}`, async () => {
      const cases = [
        [withKey, { privateKey: merchantPrivatePem }, { publicKey: merchantPublicPem }],
        [withSecret, { secret: secretFor }, { secret: secretFor }],
      ];
      for (const [expected, signWith, verifyWith] of cases) {
        if (expected === null) {
          await throwsCode(() => new Signer({ profile, ...signWith }), 'CREDENTIAL_MISMATCH', profile);
          await throwsCode(() => new Verifier({ profile, ...verifyWith }), 'CREDENTIAL_MISMATCH', profile);
          continue;
        }
        assert.equal(new Signer({ profile, ...signWith }).signType, expected);
        // A verifier accepts only the default, never every type that fits (no downgrade).
        assert.deepEqual([...new Verifier({ profile, ...verifyWith }).accepted], [expected]);
      }
    });
  }

  it('a paysign secret signs HMAC-SHA256 and verifies without naming a sign type', () => {
    const signed = new Signer({ secret: testSecret }).signParams(rsa2.pairs.filter(([k]) => k !== 'sign_type'));
    assert.equal(new Verifier({ secret: testSecret, message: 'request' }).verify(signed).signType, 'HMAC-SHA256');
  });
});

describe('wrong JavaScript types throw TypeError and leave the module usable', () => {
  const signer = new Signer({ secret: testSecret, signType: 'MD5' });
  const cases = [
    ['params is a number', () => signer.sign(42)],
    ['params is null', () => signer.sign(null)],
    ['params is a string', () => canonicalize('a=1&b=2')],
    ['a value is a number', () => signer.sign({ total_amount: 1959 })],
    ['a value is undefined', () => signer.sign({ memo: undefined })],
    ['a value is an object', () => signer.sign(new Map([['a', { x: 1 }]]))],
    ['a Map key is a number', () => signer.sign(new Map([[1, 'a']]))],
    ['a pair is malformed', () => signer.sign([['a', '1', 'extra']])],
    ['a pair is not an array', () => signer.sign(['a=1'])],
    ['options is a string', () => new Signer('secret')],
    ['options missing', () => new Signer()],
    ['profile is a number', () => canonicalize({}, { profile: 1 })],
    ['privateKey is a number', () => new Signer({ privateKey: 12345 })],
    ['both privateKey and secret', () => new Signer({ privateKey: merchantPrivatePem, secret: 's' })],
    ['unknown provider', () => new Signer({ secret: testSecret, signType: 'MD5', provider: 'openssl' })],
    ['signTypes empty', () => new Verifier({ secret: testSecret, signTypes: [] })],
    ['signType and signTypes', () => new Verifier({ secret: testSecret, signType: 'MD5', signTypes: ['MD5'] })],
    ['bits unsupported', () => generateKeyPair({ bits: 1024 })],
  ];
  for (const [label, fn] of cases) {
    it(label, () => {
      assert.throws(fn, TypeError);
      stillWorks();
      assert.equal(signer.sign(md5.pairs), md5.signature);
    });
  }

  it('a value numbers-as-strings hint is in the message', () => {
    assert.throws(() => signer.sign({ total_amount: 1959 }), /total_amount.*String\(1959\)/);
  });
});

describe('keys in every format platforms hand out', () => {
  const der = readBytes('keys/merchant_private_pkcs8.der');
  const privateForms = {
    'PKCS#8 PEM': merchantPrivatePem,
    'PKCS#1 PEM': readText('keys/merchant_private_pkcs1.pem'),
    'PKCS#8 bare base64': readText('keys/merchant_private_pkcs8.b64'),
    'PKCS#8 DER bytes': der,
    'PEM with CRLF': merchantPrivatePem.replace(/\n/g, '\r\n'),
  };
  for (const [form, key] of Object.entries(privateForms)) {
    it(`signs with a private key as ${form} (every provider)`, async () => {
      for (const provider of ['wasm', 'node', 'webcrypto']) {
        const s = new Signer({ privateKey: key, provider });
        assert.equal(await s.signAsync(rsa2.pairs), rsa2.signature, provider);
      }
    });
  }
  const publicForms = {
    'SPKI PEM': merchantPublicPem,
    'SPKI bare base64': readText('keys/merchant_public_spki.b64'),
    'PKCS#1 PEM': readText('keys/merchant_public_pkcs1.pem'),
    'X.509 certificate PEM': readText('keys/merchant_cert.pem'),
    'X.509 certificate DER bytes': readBytes('keys/merchant_cert.der'),
  };
  for (const [form, key] of Object.entries(publicForms)) {
    it(`verifies with a public key as ${form} (every provider)`, async () => {
      for (const provider of ['wasm', 'node', 'webcrypto']) {
        const v = new Verifier({ publicKey: key, message: 'request', provider });
        assert.deepEqual(await v.verifyAsync(signedPairs(rsa2)), { valid: true, signType: 'RSA2' }, provider);
      }
    });
  }

  it('a DER key whose last byte is a whitespace byte (0x0A) is read whole', async () => {
    // Regression: the core trims whitespace before recognising DER; see fixtures/README.md.
    const der = new Uint8Array(fs.readFileSync(new URL('./fixtures/trailing_whitespace_byte_pkcs8.der', import.meta.url)));
    assert.equal(der[der.length - 1], 0x0a);
    const pub = crypto.createPublicKey(crypto.createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' }));
    for (const provider of ['wasm', 'node', 'webcrypto']) {
      const signed = await new Signer({ privateKey: der, provider }).signParamsAsync(rsa2.pairs);
      const sig = signed.find(([k]) => k === 'sign')[1];
      assert.ok(crypto.verify('sha256', Buffer.from(rsa2.canonical), pub, Buffer.from(sig, 'base64')), provider);
    }
  });

  it('a 4096-bit key signs identically with every provider', async () => {
    const key = readText('keys/merchant4096_private_pkcs8.pem');
    const pub = readText('keys/merchant4096_public_spki.pem');
    const sigs = new Set();
    for (const provider of ['wasm', 'node', 'webcrypto']) {
      sigs.add(await new Signer({ privateKey: key, provider }).signAsync(rsa2.pairs));
    }
    assert.equal(sigs.size, 1);
    const [sig] = sigs;
    assert.equal(Buffer.from(sig, 'base64').length, 512);
    assert.deepEqual(verify(signedPairs(rsa2, sig), { publicKey: pub, message: 'request' }), { valid: true, signType: 'RSA2' });
  });

  it('secrets may be bytes', () => {
    const bytes = new TextEncoder().encode(testSecret);
    assert.equal(sign(md5.pairs, { secret: bytes, signType: 'MD5' }), md5.signature);
  });
});

describe('Signer and Verifier', () => {
  it('expose their configuration and resolved providers', () => {
    const s = new Signer({ privateKey: merchantPrivatePem });
    assert.equal(s.profile, 'paysign');
    assert.equal(s.message, 'request');
    assert.equal(s.signType, 'RSA2');
    assert.deepEqual(s.provider, { sync: 'node', async: 'webcrypto' });
    assert.deepEqual(new Signer({ privateKey: merchantPrivatePem, provider: 'wasm' }).provider, { sync: 'wasm', async: 'wasm' });
    assert.deepEqual(new Signer({ secret: testSecret, signType: 'HMAC-SHA256', provider: 'node' }).provider, { sync: 'wasm', async: 'wasm' });
    const v = new Verifier({ publicKey: merchantPublicPem, signTypes: ['RSA2', 'RSA', 'RSA2'] });
    assert.equal(v.message, 'notification');
    assert.deepEqual([...v.accepted].sort(), ['RSA', 'RSA2']);
    assert.ok(Object.isFrozen(v.accepted));
  });

  it('the webcrypto provider is asynchronous only', () => {
    const s = new Signer({ privateKey: merchantPrivatePem, provider: 'webcrypto' });
    assert.throws(() => s.sign(rsa2.pairs), /asynchronous.*signAsync/);
    assert.throws(() => s.signParams(rsa2.pairs), /asynchronous/);
    const v = new Verifier({ publicKey: merchantPublicPem, message: 'request', provider: 'webcrypto' });
    assert.throws(() => v.verify(signedPairs(rsa2)), /asynchronous/);
    assert.equal(s.canonicalize(rsa2.pairs), rsa2.canonical, 'canonicalize needs no provider');
  });

  it('signParams returns the same kind it was given and leaves the input alone', () => {
    const s = new Signer({ secret: testSecret, signType: 'HMAC-SHA256' });
    const input = { b: '2', a: '1' };
    const out = s.signParams(input);
    assert.deepEqual(input, { b: '2', a: '1' });
    assert.deepEqual(Object.keys(out), ['b', 'a', 'sign_type', 'sign']);
    const sig = out.sign;
    assert.match(sig, /^[0-9A-F]{64}$/);

    const fromMap = s.signParams(new Map([['b', '2'], ['a', '1']]));
    assert.ok(fromMap instanceof Map);
    assert.deepEqual([...fromMap.keys()], ['b', 'a', 'sign_type', 'sign']);
    assert.equal(fromMap.get('sign'), sig);

    const fromUsp = s.signParams(new URLSearchParams('b=2&a=1'));
    assert.ok(fromUsp instanceof URLSearchParams);
    assert.equal(fromUsp.toString(), `b=2&a=1&sign_type=HMAC-SHA256&sign=${sig}`);

    const fromPairs = s.signParams([['b', '2'], ['a', '1']]);
    assert.deepEqual(fromPairs, [['b', '2'], ['a', '1'], ['sign_type', 'HMAC-SHA256'], ['sign', sig]]);

    // An existing sign_type is overwritten in place, an existing sign replaced (as the core does).
    const resigned = s.signParams([['sign', 'old'], ['sign_type', 'MD5'], ['a', '1'], ['b', '2']]);
    assert.deepEqual(resigned, [['sign', sig], ['sign_type', 'HMAC-SHA256'], ['a', '1'], ['b', '2']]);
  });

  it('WeChat MD5 is implied: signParams adds only sign', () => {
    const c = signCases().find((x) => x.name === 'sign_wechat_md5_guide');
    const s = new Signer({ profile: 'wechat-v2', secret: secret(c.key) });
    assert.equal(s.signType, 'MD5');
    assert.deepEqual(s.signParams(c.pairs), [...c.pairs, ['sign', c.signature]]);
  });

  it('free() releases the key; later use says so; Symbol.dispose frees too', () => {
    const s = new Signer({ secret: testSecret, signType: 'MD5' });
    s.free();
    s.free();
    assert.throws(() => s.sign(md5.pairs), /freed/);
    const v = new Verifier({ publicKey: merchantPublicPem, message: 'request' });
    v.free();
    assert.throws(() => v.verify(signedPairs(rsa2)), /freed/);
    assert.equal(typeof Symbol.dispose, 'symbol');
    const d = new Signer({ secret: testSecret, signType: 'MD5' });
    d[Symbol.dispose]();
    assert.throws(() => d.sign(md5.pairs), /freed/);
    const dv = new Verifier({ secret: testSecret, signType: 'MD5' });
    dv[Symbol.dispose]();
    assert.throws(() => dv.verify(signedPairs(md5)), /freed/);
  });

  it('many short-lived signers need no free() (FinalizationRegistry reclaims them)', async () => {
    if (typeof globalThis.gc !== 'function') {
      // Without --expose-gc, still make sure creating many does not fail.
      for (let i = 0; i < 2000; i++) new Signer({ secret: testSecret, signType: 'MD5' }).sign(md5.pairs);
      return;
    }
    for (let i = 0; i < 2000; i++) new Signer({ secret: testSecret, signType: 'MD5' }).sign(md5.pairs);
    globalThis.gc();
    stillWorks();
  });
});

describe('generateKeyPair', () => {
  function checkPair(pair, bits) {
    assert.match(pair.privateKeyPem, /^-----BEGIN PRIVATE KEY-----\n/);
    assert.match(pair.publicKeyPem, /^-----BEGIN PUBLIC KEY-----\n/);
    assert.match(pair.privateKeyBase64, /^[A-Za-z0-9+/]+=*$/);
    assert.match(pair.publicKeyBase64, /^[A-Za-z0-9+/]+=*$/);
    // Node reads them as PKCS#8 / SPKI of the requested size, and they match each other.
    const priv = crypto.createPrivateKey(pair.privateKeyPem);
    const pub = crypto.createPublicKey({ key: Buffer.from(pair.publicKeyBase64, 'base64'), format: 'der', type: 'spki' });
    assert.equal(priv.asymmetricKeyDetails.modulusLength, bits);
    assert.equal(pub.export({ format: 'pem', type: 'spki' }), pair.publicKeyPem);
    // Every generator's pair has the same forms: what OpenSSL writes for the same key.
    assert.equal(priv.export({ format: 'pem', type: 'pkcs8' }), pair.privateKeyPem);
    assert.equal(priv.export({ format: 'der', type: 'pkcs8' }).toString('base64'), pair.privateKeyBase64);
    assert.equal(pub.export({ format: 'der', type: 'spki' }).toString('base64'), pair.publicKeyBase64);
    const s = new Signer({ privateKey: pair.privateKeyBase64 });
    const signed = s.signParams({ a: '1' });
    assert.deepEqual(verify(signed, { publicKey: pair.publicKeyPem, message: 'request' }), { valid: true, signType: 'RSA2' });
  }

  it('node provider (default on Node)', () => {
    checkPair(generateKeyPair(), 2048);
    checkPair(generateKeyPair({ bits: 3072, provider: 'node' }), 3072);
  });

  it('webcrypto provider (async default)', async () => {
    checkPair(await generateKeyPairAsync(), 2048);
  });

  it('node provider, async', async () => {
    checkPair(await generateKeyPairAsync({ provider: 'node' }), 2048);
  });

  it('wasm provider (pure Rust, slow)', () => {
    checkPair(generateKeyPair({ provider: 'wasm' }), 2048);
  });
});
