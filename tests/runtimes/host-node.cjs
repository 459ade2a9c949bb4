// The runtime suite under Node, CommonJS: `require('paysign')` (index.cjs, the wasm module
// instantiated synchronously, RSA in node:crypto). The vectors come as JSON on stdin.
// Run by tests/node/runtimes.test.mjs (node-cjs).
'use strict';

const paysign = require('paysign');

(async () => {
  const { report, runSuite } = await import('./suite.mjs');
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const result = await runSuite(paysign, JSON.parse(Buffer.concat(chunks).toString('utf8')));
  console.log(report(result));
  process.exitCode = result.failed === 0 ? 0 : 1;
})();
