// paysign's JavaScript layer, sdk-wasm/js/api/ (layout: scripts/build-wasm.sh): the one-off
// functions canonicalize, sign, signAsync, verify and verifyAsync.
//
// sign and verify parse the key on every call: each makes a Signer or Verifier, uses it
// once and frees it. For many messages, keep a Signer or Verifier. Imports options.mjs.
import { optionalString, optionsObject } from './options.mjs';

// One use of a new instance of `Class`, freed after it (also when it throws).
function oneOff(Class, options, use) {
  const instance = new Class(options);
  try {
    return use(instance);
  } finally {
    instance.free();
  }
}

async function oneOffAsync(Class, options, use) {
  const instance = new Class(options);
  try {
    return await use(instance);
  } finally {
    instance.free();
  }
}

/**
 * The one-off functions over the modules of one entry point (createApi's context:
 * `runtime`) and its Signer and Verifier classes.
 */
export function oneOffFunctions({ runtime }, Signer, Verifier) {
  function canonicalize(params, options) {
    const wasm = runtime.bindings();
    const opts = optionsObject(options, 'canonicalize');
    const profile = optionalString(opts, 'profile') ?? 'paysign';
    const message = optionalString(opts, 'message') ?? 'request';
    const input = runtime.buffers().params(params);
    return runtime.call(() => wasm.canonicalize(profile, message, input.lens, input.bytes));
  }

  function sign(params, options) {
    return oneOff(Signer, options, (s) => s.sign(params));
  }

  function signAsync(params, options) {
    return oneOffAsync(Signer, options, (s) => s.signAsync(params));
  }

  function verify(params, options) {
    return oneOff(Verifier, options, (v) => v.verify(params));
  }

  function verifyAsync(params, options) {
    return oneOffAsync(Verifier, options, (v) => v.verifyAsync(params));
  }

  return { canonicalize, sign, signAsync, verify, verifyAsync };
}
