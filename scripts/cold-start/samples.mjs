// The cold-start samples of the benchmarks (scripts/bench-node.mjs, scripts/bench-cold-start.mjs).
//
// Node: a fresh Node process per sample, timed inside it (performance.now) from before
// `require` to the first verified notification, so Node's own start is not counted. The
// reference does in the same kind of process what a merchant without paysign must at least
// do: load node:crypto, import the key, verify the canonical string (no parsing, no checks).
// `coldSample(name, inputs, cwd)` runs one; `paysign` resolves from `cwd`.
//
// workerd (miniflare): `workerdSample(entry, pkgDir, inputs)`, the time from starting a
// Worker (this folder's `entry`, the package from `pkgDir`) to its first response.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

import { workerModules } from '../../tests/runtimes/worker-modules.mjs';

const coldDir = path.dirname(fileURLToPath(import.meta.url));

/** The child's input (one JSON text in its environment): the notification and its check. */
export function coldInputs({ body, options, call, canonical, signature }) {
  return JSON.stringify({
    body: body.toString('base64'),
    options,
    call,
    canonical: canonical.toString('base64'),
    signature: signature.toString('base64'),
  });
}

export const coldScripts = {
  paysign: `
    const { performance } = require('node:perf_hooks');
    const input = JSON.parse(process.env.COLD_INPUT);
    const body = Buffer.from(input.body, 'base64');
    const runtime = require('node:path').join(require('node:path').dirname(require.resolve('paysign')), 'node/paysign_wasm.js');
    const t0 = performance.now();
    // The runtime module first (read, compiled, instantiated), then the rest of the entry
    // point, which finds it loaded: the two parts of require('paysign').
    require(runtime);
    const tWasm = performance.now();
    const { NotificationVerifier } = require('paysign');
    const t1 = performance.now();
    const verifier = new NotificationVerifier(input.options);
    const tBuilt = performance.now();
    const n = verifier.verify(body, input.call);
    const t2 = performance.now();
    process.stdout.write(JSON.stringify({ wasm: tWasm - t0, require: t1 - t0, construct: tBuilt - t1, verify: t2 - tBuilt, first: t2 - t0, ok: n.totalAmount === 6754 }));`,
  reference: `
    const { performance } = require('node:perf_hooks');
    const input = JSON.parse(process.env.COLD_INPUT);
    const canonical = Buffer.from(input.canonical, 'base64');
    const signature = Buffer.from(input.signature, 'base64');
    const t0 = performance.now();
    const crypto = require('node:crypto');
    const key = crypto.createPublicKey(input.options.publicKey);
    const ok = crypto.verify('sha256', canonical, key, signature);
    const t2 = performance.now();
    process.stdout.write(JSON.stringify({ first: t2 - t0, ok }));`,
};

/** One sample of `coldScripts[name]` in a fresh process; its timings (ms). */
export function coldSample(name, inputs, cwd) {
  const child = spawnSync(process.execPath, ['-e', coldScripts[name]], { cwd, env: { ...process.env, COLD_INPUT: inputs }, encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`cold start (${name}) failed: ${child.stderr}`);
  const run = JSON.parse(child.stdout);
  if (run.ok !== true) throw new Error(`cold start (${name}): the notification did not verify`);
  return run;
}

/** One workerd sample of the Worker `entry` (worker-paysign.mjs, worker-reference.mjs), ms. */
export async function workerdSample(entry, pkgDir, inputs) {
  const { Miniflare } = await import('miniflare');
  const start = performance.now();
  const worker = new Miniflare({
    modulesRoot: coldDir,
    modules: workerModules(path.join(coldDir, entry), { modulesRoot: coldDir, pkgDir }),
    compatibilityDate: '2026-04-01',
    host: '127.0.0.1',
    port: 0,
  });
  try {
    const answer = await (await worker.dispatchFetch('http://127.0.0.1/', { method: 'POST', body: inputs })).json();
    if (answer.ok !== true) throw new Error(`workerd cold start (${entry}): the notification did not verify`);
    return performance.now() - start;
  } finally {
    await worker.dispose();
  }
}
