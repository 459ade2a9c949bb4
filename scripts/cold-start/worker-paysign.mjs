// workerd's cold start with paysign (scripts/bench-node.mjs): a Worker as a merchant writes
// one, whose first request loads the runtime module and verifies one notification. The input
// (body, verifier options, call options) comes as JSON in the request.
import runtimeWasm from 'paysign/paysign_wasm_bg.wasm';
import * as paysign from 'paysign/web';

export default {
  async fetch(request) {
    const input = await request.json();
    await paysign.init(runtimeWasm);
    const verifier = new paysign.NotificationVerifier(input.options);
    const body = Uint8Array.from(atob(input.body), (c) => c.charCodeAt(0));
    const notification = await verifier.verifyAsync(body, input.call);
    return Response.json({ ok: notification.totalAmount === 6754 });
  },
};
