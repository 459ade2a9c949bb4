// Run by scripts/profile-node.sh (`make bench` runs it): where the time of the npm package's
// hot paths goes, from V8's CPU profiler, for BENCHMARKS.md. Two modes:
//
//   node --cpu-prof --cpu-prof-dir DIR scripts/profile-node.mjs run PKG PATH N
//       runs one path N times against the package in PKG (built with the wasm function
//       names kept, so that wasm frames are named), after a warm-up that is not counted
//       apart: the profile covers the whole process and the report takes its share of it;
//   node scripts/profile-node.mjs report DIR
//       reads each DIR/PATH.cpuprofile and prints, per path, the share of the samples
//       spent in each part of the work, and that share of the measured time per call.
//
// Each sample goes to the first part that one of its frames belongs to, walking from the
// frame that was running towards the caller (PARTS, in order, the fallback last): so
// `memcmp` called by the parameter sort counts for the parameters, an allocation anywhere
// for allocation, and a library function (`from_utf8`) for the part that called it.
// The paths are the bench's (scripts/bench-node.mjs): the same inputs (scripts/bench-inputs.mjs)
// and calls.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

import { md5Order, md5Signature, notificationOptions, notifyBody, notifyCall, publicPem, secret, signedOrder } from './bench-inputs.mjs';

function workloads(paysign) {
  const { NotificationVerifier, Signer, Verifier } = paysign;
  const md5Signer = new Signer({ secret, signType: 'MD5' });
  const verifier = new Verifier({ publicKey: publicPem, message: 'request' });
  const notificationVerifier = new NotificationVerifier(notificationOptions);
  return {
    'notification-verify': () => {
      const n = notificationVerifier.verify(notifyBody, notifyCall);
      if (!n.duplicate) notificationVerifier.complete(n);
      return n.totalAmount === 6754;
    },
    'md5-sign': () => md5Signer.sign(md5Order) === md5Signature,
    'rsa2-verify': () => verifier.verify(signedOrder).valid,
  };
}

// The parts of the work, each by the frames that belong to it (function name, then the
// script's file name), in the order a sample is matched.
const PARTS = [
  // With node:crypto's own JavaScript around the operation, which the raw reference runs too.
  ['RSA in node:crypto', (f) => f.fn === 'verifyOneShot' || f.fn === 'signOneShot' || f.crypto],
  ['wasm: allocation and freeing', (f) => f.wasm && /dlmalloc|__rdl_|__rust_(alloc|dealloc|realloc)|RawVec|drop_in_place|::drop$/.test(f.fn)],
  ['wasm: MD5', (f) => f.wasm && /md5::|Md5/.test(f.fn)],
  ['wasm: reading the body (form, charset)', (f) => f.wasm && /message::parse::/.test(f.fn)],
  ['wasm: canonical string', (f) => f.wasm && /canonical::/.test(f.fn)],
  ['wasm: parameters from JavaScript (decoding, checking, sorting names)', (f) => f.wasm && /flat::|params::/.test(f.fn)],
  ['wasm: the rest of the pipeline (checks, typed fields, replay claim, signature decoding)', (f) => f.wasm && /paysign_core::/.test(f.fn)],
  // The one fallback: wasm code that no frame up the stack places in a part above.
  ['wasm: wasm-bindgen shims and other wasm', (f) => f.wasm, 'fallback'],
  ['JS: parameters into wasm (object walk, TextEncoder.encodeInto)', (f) => /^(params|#write|encodeInto|list)$/.test(f.fn)],
  ['JS: results out of wasm (one string decoded and sliced)', (f) => /^(pieces|paramsOf|#received|getStringFromWasm0|decodeText|decode)$/.test(f.fn)],
  ['garbage collection', (f) => f.fn === '(garbage collector)'],
  ['JS: the rest of the layer (argument checks, calls into wasm)', (f) => f.package],
];
const OTHER = 'other (the loop, V8, startup)';

function report(dir) {
  const out = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort()) {
    const name = file.replace(/\.cpuprofile$/, '');
    const meta = JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8'));
    const profile = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const frame = (n) => {
      const { functionName: fn, url } = n.callFrame;
      return {
        fn: fn.replace(/::h[0-9a-f]{16}$/, ''),
        wasm: url.startsWith('wasm://') || /^wasm-function/.test(fn),
        package: url.includes('/profile-pkg/'),
        crypto: url.startsWith('node:internal/crypto/'),
      };
    };
    const spent = new Map();
    let total = 0;
    let inCalls = 0;
    profile.samples.forEach((id, i) => {
      const dt = profile.timeDeltas[i];
      total += dt;
      const stack = [];
      for (let at = id; at !== undefined; at = parent.get(at)) stack.push(frame(nodes.get(at)));
      if (!stack.some((f) => f.fn === 'timedCalls')) return; // warm-up, startup
      const partOf = (f, fallback) => PARTS.find(([, belongs, kind]) => (kind === 'fallback') === fallback && belongs(f));
      const found = stack.map((f) => partOf(f, false)).find(Boolean) ?? (stack[0].wasm ? partOf(stack[0], true) : undefined);
      const part = found ? found[0] : OTHER;
      inCalls += dt;
      spent.set(part, (spent.get(part) ?? 0) + dt);
    });
    const perCall = meta.microsPerCall;
    out.push(`**${name}** (${meta.calls.toLocaleString('en-US')} calls under the profiler, ${perCall.toFixed(1)} µs each there; shares of the time in those calls):`);
    out.push('');
    out.push('| part | share | µs per call |');
    out.push('| --- | ---: | ---: |');
    for (const [part, t] of [...spent].sort((a, b) => b[1] - a[1])) {
      out.push(`| ${part} | ${((100 * t) / inCalls).toFixed(1)}% | ${((perCall * t) / inCalls).toFixed(2)} |`);
    }
    out.push('');
  }
  console.log(out.join('\n').trim());
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'run') {
  const [pkg, name, count] = args;
  const paysign = createRequire(import.meta.url)(path.resolve(pkg, 'index.cjs'));
  const work = workloads(paysign)[name];
  if (work === undefined) throw new Error(`unknown path ${name}`);
  for (let i = 0; i < 2000; i++) if (!work()) throw new Error(`${name}: wrong result`);
  const calls = Number(count);
  // A named function, so the report can tell these calls from the warm-up.
  const timedCalls = () => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) work();
    return Number(process.hrtime.bigint() - start) / 1000 / calls;
  };
  const microsPerCall = timedCalls();
  fs.writeFileSync(process.env.PROFILE_META, JSON.stringify({ calls, microsPerCall }));
} else if (mode === 'report') {
  report(args[0]);
} else {
  throw new Error('usage: profile-node.mjs run PKG PATH N | report DIR');
}
