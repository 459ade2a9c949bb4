// workerd's cold start without paysign (scripts/bench-node.mjs): the least a Worker does to
// check the same notification, WebCrypto importing the key and verifying the canonical string
// (no parsing, no checks). The input comes as JSON in the request.
const bytes = (base64) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));

export default {
  async fetch(request) {
    const input = await request.json();
    const der = bytes(input.options.publicKey.replace(/-----[^-]+-----|\s/g, ''));
    const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    const key = await crypto.subtle.importKey('spki', der, algorithm, false, ['verify']);
    const ok = await crypto.subtle.verify(algorithm, key, bytes(input.signature), bytes(input.canonical));
    return Response.json({ ok });
  },
};
