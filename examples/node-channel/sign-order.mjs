// Run with: make wasm && npm ci && node examples/node-channel/sign-order.mjs
//
// A channel company (渠道公司) pays a user's water bill through the bill-payment centre: it
// builds the `order.create` request — fields checked by paysign-core (docs/protocol.md §6),
// envelope added (app_id, method, version, timestamp, nonce) — signs it with its RSA2 private
// key and POSTs the form body. This example prints the request instead of sending it. The
// Signer parses the key once; amounts are integer fen, or yuan text through parseYuan().
import fs from 'node:fs';

import { Signer, Verifier, buildRequest, parseYuan } from 'paysign';

const keys = new URL('../../tests/vectors/keys/', import.meta.url);
// Test keys from the repository; a real channel loads its own key from a secret store.
const privateKey = fs.readFileSync(new URL('merchant_private_pkcs8.pem', keys), 'utf8');
const publicKey = fs.readFileSync(new URL('merchant_public_spki.pem', keys), 'utf8');

const signer = new Signer({ profile: 'paysign', signType: 'RSA2', privateKey });

const request = buildRequest(
  'order.create',
  {
    outTradeNo: `M${Date.now()}`,
    itemId: 'SH-WATER-01',
    billNo: 'SHW2026110007',
    totalAmount: parseYuan('19.59'), // 1959 fen, exactly
    notifyUrl: 'https://channel.example/paysign/notify',
    subject: '上海自来水 11月',
  },
  { appId: '2026000000000001', signer },
);

console.log(`POST ${request.path}  (application/x-www-form-urlencoded; charset=utf-8)`);
console.log(request.toForm());
console.log();
console.log('canonical string signed:', signer.canonicalize(request.params));
console.log('nonce the response must echo:', request.nonce);

// What the centre does on receipt (with the channel's public key, registered beforehand).
const centre = new Verifier({ profile: 'paysign', message: 'request', signType: 'RSA2', publicKey });
console.log('centre verifies:', centre.verify(new URLSearchParams(request.toForm())));
