// The inputs of the Node benchmarks, from tests/vectors: one copy for scripts/bench-node.mjs
// (throughput, cold start) and scripts/profile-node.mjs (profiles), so that the profiled
// calls are the measured ones.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const vectors = path.join(root, 'tests/vectors');

/** A file of tests/vectors as text. */
export const read = (rel) => fs.readFileSync(path.join(vectors, rel), 'utf8');

export const privatePem = read('keys/merchant_private_pkcs8.pem');
export const publicPem = read('keys/merchant_public_spki.pem');
export const secret = read('keys/secret.txt').replace(/\r?\n$/, '');

/** A paysign request signed with RSA2: its parameters, canonical string and signature. */
export const rsaOrder = Object.fromEntries(JSON.parse(read('sign_paysign_rsa2_request/params.json')));
export const rsaCanonical = read('sign_paysign_rsa2_request/canonical.txt');
export const rsaSignature = read('sign_paysign_rsa2_request/signature.txt');
export const signedOrder = { ...rsaOrder, sign: rsaSignature };

/** A paysign request signed with MD5. */
export const md5Order = Object.fromEntries(JSON.parse(read('sign_paysign_md5_request/params.json')));
export const md5Canonical = read('sign_paysign_md5_request/canonical.txt');
export const md5Signature = read('sign_paysign_md5_request/signature.txt');

/**
 * The gateway's signed form notification, the options a merchant verifies it with, and the
 * per-call options (its content type, and a `now` inside its time window).
 */
export const gatewayPublicPem = read('keys/gateway_public_spki.pem');
export const notifyBody = fs.readFileSync(path.join(vectors, 'notify_paysign_form/body.bin'));
export const notifyCall = { contentType: 'application/x-www-form-urlencoded; charset=utf-8', now: 1795190410 };
export const notificationOptions = { publicKey: gatewayPublicPem, accept: ['RSA2'], appId: '2026000000000001' };
