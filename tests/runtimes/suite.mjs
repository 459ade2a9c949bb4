// The notification suite every JavaScript runtime runs: Node (CommonJS and ESM), Bun, Deno,
// workerd (miniflare) and Chromium. It uses only what all of them have (no node:test, no
// node:fs, no process): a host script per runtime loads `paysign` the way that runtime's users
// do, hands it the vectors and the package, prints `report(result)` and exits non-zero on a
// failure. tests/node/runtimes.test.mjs drives every host and prints the matrix.
//
// The vectors arrive as data (`toPortable` of tests/node/vectors.mjs's cases, JSON on the
// host's stdin, a request body, or a page argument), because a Worker or a page cannot read
// tests/vectors/ and Deno may not without a permission the package must not need.
import { asExpected } from './expected.mjs';

/** The byte arrays of `value` as `{ base64 }`, so that the whole value survives JSON. */
export function toPortable(value) {
  if (value instanceof Uint8Array) {
    let binary = '';
    for (const byte of value) binary += String.fromCharCode(byte);
    return { base64: btoa(binary) };
  }
  if (Array.isArray(value)) return value.map(toPortable);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPortable(v)]));
  }
  return value;
}

/** `toPortable` undone: each `{ base64 }` becomes its bytes again. */
export function fromPortable(value) {
  if (Array.isArray(value)) return value.map(fromPortable);
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'base64') {
      return Uint8Array.from(atob(value.base64), (c) => c.charCodeAt(0));
    }
    return Object.fromEntries(keys.map((k) => [k, fromPortable(value[k])]));
  }
  return value;
}

class CheckFailed extends Error {}

function check(condition, message) {
  if (!condition) throw new CheckFailed(message);
}

/** Structural equality of JSON-like values (key order ignored). */
function same(a, b) {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => same(a[k], b[k]));
}

function checkSame(actual, expected, what) {
  check(same(actual, expected), `${what}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
}

/** The code of the PaysignError that `call` throws or rejects with (a failed check otherwise). */
async function codeOf(paysign, call) {
  try {
    await call();
  } catch (e) {
    check(e instanceof paysign.PaysignError, `expected a PaysignError, got ${e?.name}: ${e?.message}`);
    return e.code;
  }
  throw new CheckFailed('expected an error, the call succeeded');
}

/** The notification as a fetch Request: its raw bytes and the headers it came with. */
function requestOf(c) {
  const headers = new Headers(c.call.headers ?? []);
  if (c.call.contentType) headers.set('content-type', c.call.contentType);
  return new Request('https://merchant.example/notify', { method: 'POST', body: c.body, headers });
}

/** The options of `verifyRequest`: what the request itself does not carry. */
function requestOptions(call) {
  const options = { now: call.now };
  if (call.expectedAmount !== undefined) options.expectedAmount = call.expectedAmount;
  return options;
}

function checkVerified(c, n, how) {
  checkSame(asExpected(n, c.expect.notification), c.expect.notification, `${c.name} (${how})`);
  check(n.duplicate === false, `${c.name} (${how}): a first delivery reported as a duplicate`);
}

/**
 * The checks, in order, each `{ name, run(paysign) }`; `plan(input).length` is how many a
 * runtime must pass. `input` is `fromPortable`'d: `{ valid, failing, signing }` with
 * `valid`/`failing` as notifyCases() builds them and `signing` the RSA2 and HMAC-SHA256
 * request vectors with their Signer and Verifier options.
 */
export function plan(input) {
  const { valid, failing, signing } = input;
  if (!(valid.length > 0 && failing.length > 0 && signing.length > 0)) {
    throw new Error('the runtime suite needs valid and failing notification vectors and signing vectors');
  }
  const named = (name) => valid.find((c) => c.name === name) ?? failing.find((c) => c.name === name);
  const paysignForm = named('notify_paysign_form');
  const forged = named('fail_notify_tampered_amount');
  const checks = [];

  for (const c of valid) {
    checks.push({
      name: `${c.name}: verify`,
      run: (p) => checkVerified(c, new p.NotificationVerifier(c.options).verify(c.body, c.call), 'verify'),
    });
    checks.push({
      name: `${c.name}: verifyAsync`,
      run: async (p) => checkVerified(c, await new p.NotificationVerifier(c.options).verifyAsync(c.body, c.call), 'verifyAsync'),
    });
    checks.push({
      name: `${c.name}: verifyRequest`,
      run: async (p) => checkVerified(c, await new p.NotificationVerifier(c.options).verifyRequest(requestOf(c), requestOptions(c.call)), 'verifyRequest'),
    });
  }

  for (const c of failing) {
    const code = c.expect.code;
    checks.push({
      name: `${c.name}: verify refuses it with ${code}`,
      run: async (p) => checkSame(await codeOf(p, () => new p.NotificationVerifier(c.options).verify(c.body, c.call)), code, c.name),
    });
    checks.push({
      name: `${c.name}: verifyAsync refuses it with ${code}`,
      run: async (p) => checkSame(await codeOf(p, () => new p.NotificationVerifier(c.options).verifyAsync(c.body, c.call)), code, c.name),
    });
  }

  checks.push({
    name: 'handle books notify_paysign_form once; the replay is a duplicate',
    run: async (p) => {
      const verifier = new p.NotificationVerifier(paysignForm.options);
      const booked = [];
      const book = (n) => void booked.push(n.notifyId);
      const first = await verifier.handle(paysignForm.body, paysignForm.call, book);
      checkVerified(paysignForm, first, 'handle');
      const replay = await verifier.handle(paysignForm.body, paysignForm.call, book);
      check(replay.duplicate === true, 'the replay was not reported as a duplicate');
      checkSame(booked, [first.notifyId], 'booked');
      checkSame(verifier.acknowledge(true).body, 'success', 'acknowledgement');
    },
  });

  checks.push({
    name: 'acknowledgeError answers a forged notification 400; the handler never runs',
    run: async (p) => {
      const verifier = new p.NotificationVerifier(forged.options);
      let handled = false;
      const error = await verifier.handle(forged.body, forged.call, () => void (handled = true)).then(
        () => new CheckFailed('the forged notification was accepted'),
        (e) => e,
      );
      check(error instanceof p.PaysignError, `expected a PaysignError, got ${error?.name}: ${error?.message}`);
      check(!handled, 'the handler ran for a forged notification');
      checkSame(error.code, 'SIGNATURE_MISMATCH', 'code');
      checkSame(verifier.acknowledgeError(error).status, 400, 'acknowledgeError status');
      checkSame(verifier.acknowledgeErrorResponse(error).status, 400, 'acknowledgeErrorResponse status');
    },
  });

  for (const c of signing) {
    const signed = [...c.pairs.filter(([k]) => k !== 'sign'), ['sign', c.signature]];
    const tampered = signed.map(([k, v]) => [k, k === 'total_amount' ? `${v}0` : v]);
    checks.push({
      name: `${c.name}: Signer and Verifier round-trip ${c.signType} (sign, verify)`,
      run: async (p) => {
        checkSame(new p.Signer(c.signer).sign(c.pairs), c.signature, 'signature');
        const verifier = new p.Verifier(c.verifier);
        checkSame(verifier.verify(signed), { valid: true, signType: c.signType }, 'verify');
        checkSame(await codeOf(p, () => verifier.verify(tampered)), 'SIGNATURE_MISMATCH', 'tampered');
      },
    });
    checks.push({
      name: `${c.name}: Signer and Verifier round-trip ${c.signType} (signAsync, verifyAsync)`,
      run: async (p) => {
        checkSame(await new p.Signer(c.signer).signAsync(c.pairs), c.signature, 'signature');
        const verifier = new p.Verifier(c.verifier);
        checkSame(await verifier.verifyAsync(signed), { valid: true, signType: c.signType }, 'verifyAsync');
        checkSame(await codeOf(p, () => verifier.verifyAsync(tampered)), 'SIGNATURE_MISMATCH', 'tampered');
      },
    });
  }
  return checks;
}

/**
 * Runs every check of `plan(fromPortable(portable))` against `paysign` (the package as the
 * runtime loaded it, initialised). Never throws: a check that throws is a failure.
 */
export async function runSuite(paysign, portable) {
  const result = { passed: 0, failed: 0, failures: [] };
  let checks;
  try {
    checks = plan(fromPortable(portable));
  } catch (e) {
    return { passed: 0, failed: 1, failures: [{ name: 'reading the vectors', message: String(e?.message ?? e) }] };
  }
  for (const { name, run } of checks) {
    try {
      await run(paysign);
      result.passed += 1;
    } catch (e) {
      result.failed += 1;
      const message = e instanceof CheckFailed ? e.message : `${e?.name}: ${e?.message ?? e}`;
      result.failures.push({ name, message });
    }
  }
  return result;
}

/** The result as the hosts print it: one line per failure, then `N passed, M failed`. */
export function report(result) {
  const lines = result.failures.map((f) => `FAIL ${f.name}: ${f.message}`);
  lines.push(`${result.passed} passed, ${result.failed} failed`);
  return lines.join('\n');
}
