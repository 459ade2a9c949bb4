// The runtime suite under Deno, with no permission flag at all: `paysign/web` with the wasm
// module imported as a module source (`import source`), so Deno reads it as part of the
// module graph; `await init()` would fetch it from a file: URL, which needs --allow-read.
// The vectors come as JSON on stdin. Run by tests/node/runtimes.test.mjs (deno).
import source runtimeWasm from 'paysign/paysign_wasm_bg.wasm';
import source signingWasm from 'paysign/paysign_signing_bg.wasm';
import source smWasm from 'paysign/paysign_sm_bg.wasm';
import * as paysign from 'paysign/web';

import { report, runSuite } from './suite.mjs';

paysign.initSync(runtimeWasm);
// Signers (the round-trip vectors): the signing module, the same way (issue 22).
paysign.initSigningSync(signingWasm);
// 国密 (the SM vectors): the third module, the same way.
paysign.initSmSync(smWasm);
const result = await runSuite(paysign, JSON.parse(await new Response(Deno.stdin.readable).text()));
console.log(report(result));
Deno.exitCode = result.failed === 0 ? 0 : 1;
