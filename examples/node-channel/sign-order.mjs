// Run with: make wasm && npm ci && node examples/node-channel/sign-order.mjs
//
// A channel company (渠道公司) pays a user's water bill through the bill-payment centre:
// it signs the `order.create` request with its RSA2 private key and POSTs the form body.
// This example prints the signed form body instead of sending it. The Signer parses the
// key once; `signParams` adds `sign_type` and `sign` and returns the same kind it was given.
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';

import { Signer, Verifier } from 'paysign';

const keys = new URL('../../tests/vectors/keys/', import.meta.url);
// Test keys from the repository; a real channel loads its own key from a secret store.
const privateKey = fs.readFileSync(new URL('merchant_private_pkcs8.pem', keys), 'utf8');
const publicKey = fs.readFileSync(new URL('merchant_public_spki.pem', keys), 'utf8');

const signer = new Signer({ profile: 'paysign', signType: 'RSA2', privateKey });

const order = new URLSearchParams({
  app_id: '2026000000000001',
  method: 'order.create',
  version: '1.0',
  timestamp: String(Math.floor(Date.now() / 1000)),
  nonce: randomUUID(),
  out_trade_no: `M${Date.now()}`,
  item_id: 'SH-WATER-01',
  bill_no: 'SHW2026110007',
  total_amount: '1959', // fen, as a string: the signature covers the exact text
  notify_url: 'https://channel.example/paysign/notify',
  subject: '上海自来水 11月',
});

const signed = signer.signParams(order);

console.log('POST /gateway  (application/x-www-form-urlencoded; charset=utf-8)');
console.log(signed.toString());
console.log();
console.log('canonical string signed:', signer.canonicalize(signed));

// What the centre does on receipt (with the channel's public key, registered beforehand).
const centre = new Verifier({ profile: 'paysign', message: 'request', signType: 'RSA2', publicKey });
console.log('centre verifies:', centre.verify(new URLSearchParams(signed.toString())));
