// The modules of a Worker for miniflare, laid out as a bundler-free deployment of paysign
// lays them out (wrangler's resolution of the package under the "workerd" condition). Used by
// tests/node/runtimes.test.mjs (the runtime matrix in workerd) and scripts/bench-node.mjs
// (workerd's cold start).
import fs from 'node:fs';
import path from 'node:path';

// How wrangler resolves a Worker's imports of the package: its "exports" under these
// conditions, first match wins ("types" is not one of them).
const workerConditions = ['workerd', 'worker', 'browser', 'import', 'default'];

function workerTarget(target) {
  if (typeof target === 'string') return target;
  for (const [condition, inner] of Object.entries(target ?? {})) {
    const found = workerConditions.includes(condition) ? workerTarget(inner) : null;
    if (found) return found;
  }
  return null;
}

/**
 * The modules of the Worker `entry` for miniflare (whose `modulesRoot` is `modulesRoot`):
 * the entry and its relative imports under their own names, each `paysign/...` import under
 * its specifier with the file the package in `pkgDir` exports for workerd, and that file's
 * relative imports beside it. workerd hands a `.wasm` module over compiled (CompiledWasm).
 * Throws for an import a Worker without a bundler could not resolve.
 */
export function workerModules(entry, { modulesRoot, pkgDir }) {
  const packageExports = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).exports;
  const modules = new Map();
  const add = (name, file) => {
    if (modules.has(name)) return;
    const modulePath = path.join(modulesRoot, name);
    if (file.endsWith('.wasm')) {
      modules.set(name, { type: 'CompiledWasm', path: modulePath, contents: fs.readFileSync(file) });
      return;
    }
    const source = fs.readFileSync(file, 'utf8');
    modules.set(name, { type: 'ESModule', path: modulePath, contents: source });
    for (const [, specifier] of source.matchAll(/^\s*(?:import|export)\s+(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm)) {
      if (specifier.startsWith('.')) {
        add(path.posix.join(path.posix.dirname(name), specifier), path.join(path.dirname(file), specifier));
      } else if (specifier === 'paysign' || specifier.startsWith('paysign/')) {
        const subpath = `.${specifier.slice('paysign'.length)}`;
        const target = workerTarget(packageExports[subpath]);
        if (!target) throw new Error(`paysign exports nothing at ${subpath} for workerd`);
        add(specifier, path.join(pkgDir, target));
      } else {
        throw new Error(`${name} imports ${specifier}, which a Worker without a bundler cannot resolve`);
      }
    }
  };
  add(path.basename(entry), entry);
  return [...modules.values()];
}
