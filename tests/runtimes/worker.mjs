// The runtime suite in workerd (Cloudflare Workers), run by miniflare: a Worker module as a
// merchant writes one, importing `paysign/web` and the wasm module the Workers way (an
// import of the .wasm file, which workerd hands over compiled: `init(module)`, no fetch).
// A POST with the vectors as JSON runs the suite and answers its result as JSON. Run by
// tests/node/runtimes.test.mjs (workerd), which resolves the package's modules as wrangler
// would under the "workerd" condition.
import runtimeWasm from 'paysign/paysign_wasm_bg.wasm';
import signingWasm from 'paysign/paysign_signing_bg.wasm';
import smWasm from 'paysign/paysign_sm_bg.wasm';
import * as paysign from 'paysign/web';

import { runSuite } from './suite.mjs';

export default {
  async fetch(request) {
    await paysign.init(runtimeWasm);
    // Signers (the round-trip vectors): the signing module, imported the same way (issue 22).
    await paysign.initSigning(signingWasm);
    // 国密 (the SM vectors): the third module, imported the same way.
    await paysign.initSm(smWasm);
    return Response.json(await runSuite(paysign, await request.json()));
  },
};
