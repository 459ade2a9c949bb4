// Run with: make wasm && npm ci && node examples/next-merchant/dev.mjs
//           (then POST a notification to http://localhost:3000/paysign/notify; arguments
//           go to `next dev`, e.g. --port 3001; the environment of examples/shared/merchant.mjs)
//
// Runs this example under `next dev` in this repository. In a merchant's project that is
// just `next dev`; here the example runs from a copy laid out as an install would be: the
// example and what it imports (examples/shared, the test keys) in a temporary folder beside
// a node_modules of hard links to the repository's packages, in which `paysign` is a package
// folder of its own. The repository's node_modules/paysign links to sdk-wasm/pkg, a path
// outside any node_modules, which Next.js bundles as source however next.config.js names it
// in serverExternalPackages — and the bundled package no longer finds its WebAssembly file.
// Edits go to the copy, which is removed when `next dev` ends.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Lays out the copy in a new temporary folder: `{ dir, app }` (app: the example in it). */
export function installedCopy() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paysign-next-'));
  const copy = (rel) => fs.cpSync(path.join(root, rel), path.join(dir, rel), { recursive: true, filter: (from) => path.basename(from) !== '.next' });
  copy('examples/next-merchant');
  copy('examples/shared');
  copy('tests/vectors/keys');
  // Hard links: fast, and inside the folder, outside of which Turbopack compiles nothing (a
  // plain copy where the temporary folder is on another device).
  try {
    execFileSync('cp', ['-al', path.join(root, 'node_modules'), path.join(dir, 'node_modules')]);
  } catch {
    fs.rmSync(path.join(dir, 'node_modules'), { recursive: true, force: true });
    execFileSync('cp', ['-a', path.join(root, 'node_modules'), path.join(dir, 'node_modules')]);
  }
  fs.rmSync(path.join(dir, 'node_modules/paysign'));
  fs.cpSync(path.join(root, 'sdk-wasm/pkg'), path.join(dir, 'node_modules/paysign'), { recursive: true, dereference: true });
  return { dir, app: path.join(dir, 'examples/next-merchant') };
}

/** The `next` command line of a copy. */
export function nextBin(app) {
  return path.join(app, '../../node_modules/next/dist/bin/next');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { dir, app } = installedCopy();
  const next = spawn(process.execPath, [nextBin(app), 'dev', ...process.argv.slice(2)], { cwd: app, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => next.kill(signal));
  next.on('exit', (code) => {
    fs.rmSync(dir, { recursive: true, force: true });
    process.exit(code ?? 1);
  });
}
