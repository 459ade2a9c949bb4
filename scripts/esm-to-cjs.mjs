// ES modules to CommonJS for the `paysign` package, without a bundler (scripts/build-wasm.sh).
//
// Run with: node scripts/esm-to-cjs.mjs SOURCE_DIR OUT_DIR [--bundle ENTRY.mjs] FILE.mjs...
//   (FILE relative to SOURCE_DIR; writes OUT_DIR/FILE.mjs, a verbatim copy, and
//   OUT_DIR/FILE.cjs, the same module as CommonJS; with --bundle, ENTRY's .cjs holds its
//   whole import closure in one file, see bundleOf)
//
// The sources of the JavaScript layer (sdk-wasm/js/api/*.mjs, sdk-wasm/js/frameworks.mjs)
// are ES modules written in a small subset, and this accepts that subset only, failing the
// build on anything else rather than guessing:
//   import { a, b as c } from './x.mjs';      → const { a, b: c } = require('./x.cjs');
//   export function f / export async function f / export class C / export const K
//                                             → the declaration, and f, C, K in module.exports
// Every import is relative, of another file in the list, and the imports form no cycle: an
// ES module may import in a cycle, but CommonJS would hand the cycle a half-built module.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const IMPORT = /^import\s*\{([^}]*)\}\s*from\s*'([^']+)';[ \t]*$/gm;
const EXPORT_DECLARATION = /^export\s+((?:async\s+)?function\*?|class|const|let)\s+([A-Za-z_$][\w$]*)/gm;

/** A module's imported specifiers, in order. */
export function importsOf(source) {
  return [...source.matchAll(IMPORT)].map((m) => m[2]);
}

/**
 * One module as CommonJS: `{ code, exports }`. `file` names it in errors. Throws on any
 * `import` or `export` outside the subset above.
 */
export function toCommonJs(source, file) {
  const exports = [];
  let code = source.replace(IMPORT, (_, names, specifier) => {
    if (!specifier.startsWith('./') && !specifier.startsWith('../')) {
      throw new Error(`${file}: import of ${specifier}: only relative imports of the package's own modules`);
    }
    if (!specifier.endsWith('.mjs')) throw new Error(`${file}: import of ${specifier}: name the .mjs file`);
    const bindings = names
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean)
      .map((name) => name.replace(/^([\w$]+)\s+as\s+([\w$]+)$/, '$1: $2'));
    return `const { ${bindings.join(', ')} } = require('${specifier.slice(0, -'.mjs'.length)}.cjs');`;
  });
  code = code.replace(EXPORT_DECLARATION, (_, kind, name) => {
    exports.push(name);
    return `${kind} ${name}`;
  });
  const stray = code.match(/^\s*(import|export)\b.*$/m);
  if (stray) throw new Error(`${file}: unsupported module syntax (see scripts/esm-to-cjs.mjs): ${stray[0].trim()}`);
  if (exports.length === 0) throw new Error(`${file}: exports nothing`);
  // 'use strict' after the leading comment, which stays the first thing a reader sees.
  const header = code.match(/^(?:\/\/[^\n]*\n)*/)[0];
  code = `${header}'use strict';\n${code.slice(header.length)}`;
  return { code: `${code.replace(/\n*$/, '\n')}\nmodule.exports = { ${exports.join(', ')} };\n`, exports };
}

/** The first import cycle among `modules` (file → imported files), as a list of files, or null. */
export function cycleOf(modules) {
  const state = new Map(); // file → 'open' while on the path, 'done' after
  const visit = (file, trail) => {
    if (state.get(file) === 'done') return null;
    if (state.get(file) === 'open') return [...trail.slice(trail.indexOf(file)), file];
    state.set(file, 'open');
    for (const next of modules.get(file) ?? []) {
      const cycle = visit(next, [...trail, file]);
      if (cycle) return cycle;
    }
    state.set(file, 'done');
    return null;
  };
  for (const file of modules.keys()) {
    const cycle = visit(file, []);
    if (cycle) return cycle;
  }
  return null;
}

/**
 * `entry`'s CommonJS with its whole import closure in the one file, each module's code (from
 * `converted`, file → { code }) in a function of its own, dependencies first: Node reads,
 * resolves and wraps one file instead of one per module (issue 22: 1.9 instead of 4.3 ms of
 * `require('paysign')`'s cold start for the API layer's two dozen modules). A module in
 * `shared` stays its own file, required by the bundle, so that a module outside it that
 * imports it too (frameworks.mjs: errors.mjs, whose PaysignError class must be one) gets
 * the same instance. `graph` is file → imported files, as main builds it.
 */
export function bundleOf(entry, converted, graph, shared) {
  const order = [];
  const visit = (file) => {
    if (order.includes(file)) return;
    if (!shared.has(file)) for (const next of graph.get(file)) visit(next);
    order.push(file);
  };
  visit(entry);
  const dir = path.posix.dirname(entry);
  const id = (file) => `module_${file.replace(/\.mjs$/, '').replace(/\W/g, '_')}`;
  const resolve = (from, specifier) => path.posix.join(path.posix.dirname(from), specifier.replace(/\.cjs$/, '.mjs'));
  const parts = [`// ${entry.replace(/\.mjs$/, '.cjs')} with the modules it imports, one function each (scripts/esm-to-cjs.mjs, bundleOf).\n'use strict';\n`];
  for (const file of order) {
    if (shared.has(file)) {
      const relative = path.posix.relative(dir, file).replace(/\.mjs$/, '.cjs');
      parts.push(`const ${id(file)} = require('${relative.startsWith('.') ? relative : `./${relative}`}');\n`);
      continue;
    }
    const code = converted
      .get(file)
      .code.replace(/^'use strict';\n/m, '')
      .replace(/= require\('([^']+)'\);$/gm, (_, specifier) => `= ${id(resolve(file, specifier))};`)
      .replace(/\nmodule\.exports = (\{[^}]*\});\n$/, '\nreturn $1;\n');
    if (/\brequire\(|module\.exports/.test(code)) throw new Error(`${file}: a require or module.exports the bundle cannot place`);
    parts.push(`const ${id(file)} = (() => {\n${code}})();\n`);
  }
  parts.push(`module.exports = ${id(entry)};\n`);
  return parts.join('\n');
}

function main([sourceDir, outDir, ...args]) {
  let bundle = null;
  if (args[0] === '--bundle') [, bundle, ...args] = args;
  const files = args;
  if (!sourceDir || !outDir || files.length === 0) {
    throw new Error('usage: node scripts/esm-to-cjs.mjs SOURCE_DIR OUT_DIR [--bundle ENTRY.mjs] FILE.mjs...');
  }
  const graph = new Map();
  const converted = new Map();
  for (const file of files) {
    if (!file.endsWith('.mjs')) throw new Error(`${file}: not an .mjs file`);
    const source = fs.readFileSync(path.join(sourceDir, file), 'utf8');
    converted.set(file, { source, ...toCommonJs(source, file) });
    const imported = importsOf(source).map((specifier) => path.posix.join(path.posix.dirname(file), specifier));
    for (const target of imported) {
      if (!files.includes(target)) throw new Error(`${file} imports ${target}, which is not among the modules converted`);
    }
    graph.set(file, imported);
  }
  const cycle = cycleOf(graph);
  if (cycle) throw new Error(`import cycle: ${cycle.join(' → ')}`);
  for (const [file, { source, code }] of converted) {
    const out = path.join(outDir, file);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, source);
    fs.writeFileSync(`${out.slice(0, -'.mjs'.length)}.cjs`, code);
  }
  if (bundle !== null) {
    if (!converted.has(bundle)) throw new Error(`--bundle ${bundle}: not among the modules converted`);
    // Shared: what the entry's closure holds and a module outside it imports too.
    const inside = new Set();
    const walk = (file) => {
      if (inside.has(file)) return;
      inside.add(file);
      for (const next of graph.get(file)) walk(next);
    };
    walk(bundle);
    const shared = new Set([...graph].filter(([file]) => !inside.has(file)).flatMap(([, imported]) => imported.filter((f) => inside.has(f))));
    fs.writeFileSync(path.join(outDir, `${bundle.slice(0, -'.mjs'.length)}.cjs`), bundleOf(bundle, converted, graph, shared));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`esm-to-cjs: ${e.message}\n`);
    process.exit(1);
  }
}
