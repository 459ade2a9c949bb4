// The runtime suite in a runtime that resolves `paysign` with the "node" condition, as an
// ES module: Node (node-esm) and Bun (bun), both through index.mjs. The vectors come as JSON
// on stdin. Run by tests/node/runtimes.test.mjs.
import * as paysign from 'paysign';

import { report, runSuite } from './suite.mjs';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const result = await runSuite(paysign, JSON.parse(Buffer.concat(chunks).toString('utf8')));
console.log(report(result));
process.exitCode = result.failed === 0 ? 0 : 1;
