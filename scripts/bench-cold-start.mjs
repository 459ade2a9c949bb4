// Run with: node scripts/bench-cold-start.mjs [LABEL=PKG_DIR ...]   (default: this=sdk-wasm/pkg;
//           about 2 s a sample and package; BENCH_COLD_SAMPLES, default 15)
//
// The cold start of scripts/bench-node.mjs for one or more builds of the package side by
// side (before/after a change: `node scripts/bench-cold-start.mjs before=/tmp/pkg-main
// after=sdk-wasm/pkg`): samples interleaved across the packages and the node:crypto
// reference, so that load on the machine falls on all alike; medians. Each package is
// resolved as `paysign` from a temporary folder whose node_modules links to it. Also the
// workerd row of bench-node.mjs (a Worker's start to its first verified notification) for
// each package. Prints markdown.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { canonicalize } from 'paysign';

import { notificationOptions, notifyBody, notifyCall } from './bench-inputs.mjs';
import { coldInputs, coldSample, workerdSample } from './cold-start/samples.mjs';

const SAMPLES = Number(process.env.BENCH_COLD_SAMPLES ?? 15);
const args = process.argv.slice(2);
const packages = (args.length ? args : ['this=sdk-wasm/pkg']).map((arg) => {
  const at = arg.indexOf('=');
  if (at < 1) {
    process.stderr.write(`bench-cold-start: ${JSON.stringify(arg)} is not LABEL=PKG_DIR\n`);
    process.exit(2);
  }
  const pkgDir = path.resolve(arg.slice(at + 1));
  if (!fs.existsSync(path.join(pkgDir, 'index.cjs'))) {
    process.stderr.write(`bench-cold-start: ${pkgDir} is not a built package (no index.cjs)\n`);
    process.exit(2);
  }
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'paysign-cold-'));
  fs.mkdirSync(path.join(cwd, 'node_modules'));
  fs.symlinkSync(pkgDir, path.join(cwd, 'node_modules/paysign'));
  return { label: arg.slice(0, at), pkgDir, cwd, runs: [], workerd: [] };
});

// The reference's input: the canonical string (made by this checkout's package, as in
// bench-node.mjs) and the signature the form body carries.
const fields = new URLSearchParams(notifyBody.toString('utf8'));
const canonical = Buffer.from(canonicalize(fields, { message: 'notification' }), 'utf8');
const inputs = coldInputs({ body: notifyBody, options: notificationOptions, call: notifyCall, canonical, signature: Buffer.from(fields.get('sign'), 'base64') });

const reference = [];
for (let i = 0; i < SAMPLES; i++) {
  for (const p of packages) p.runs.push(coldSample('paysign', inputs, p.cwd));
  reference.push(coldSample('reference', inputs, packages[0].cwd).first);
  for (const p of packages) p.workerd.push(await workerdSample('worker-paysign.mjs', p.pkgDir, inputs));
  if (process.stderr.isTTY) process.stderr.write(`\rbench-cold-start: sample ${i + 1}/${SAMPLES}`);
}
if (process.stderr.isTTY) process.stderr.write('\n');
for (const p of packages) fs.rmSync(p.cwd, { recursive: true, force: true });

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const rows = [
  ['`require(\'paysign\')`', (r) => r.require],
  ['… of which the runtime module: read, compiled, instantiated', (r) => r.wasm],
  ['first `new NotificationVerifier`', (r) => r.construct],
  ['first `verify`', (r) => r.verify],
  ['**`require` + first notification verify**', (r) => r.first],
];
const out = [];
out.push(`Node ${process.version}; median of ${SAMPLES} samples, interleaved across the packages; ms.`);
out.push('');
out.push(`| cold start | ${packages.map((p) => p.label).join(' | ')} |`);
out.push(`| --- |${packages.map(() => ' ---: |').join('')}`);
for (const [title, pick] of rows) out.push(`| ${title} | ${packages.map((p) => median(p.runs.map(pick)).toFixed(1)).join(' | ')} |`);
out.push(`| workerd: start a Worker, first verified notification | ${packages.map((p) => median(p.workerd).toFixed(1)).join(' | ')} |`);
out.push(`| reference: node:crypto import + verify | ${median(reference).toFixed(1)} |${packages.slice(1).map(() => ' |').join('')}`);
process.stdout.write(`${out.join('\n')}\n`);
