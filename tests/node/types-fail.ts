// Must NOT compile: each line is a misuse the typings have to reject (checked by
// typings.test.mjs, which expects one error per `@expect-error` line and no other).
import { NotificationVerifier, Signer, Verifier, buildRequest, canonicalize, explain, generateKeyPair, parseYuan, reconcile } from 'paysign';
import { redisReplayStore, upstashReplayStore } from 'paysign/redis';
import { express, fetchHandler, koa, nodeHandler } from 'paysign/frameworks';

declare const pem: string;
interface Amounted {
  total_amount: number;
}
declare const amounted: Amounted;
const signer = new Signer({ privateKey: pem });
signer.sign({ total_amount: 1959 }); // @expect-error number value
signer.sign('a=1&b=2'); // @expect-error string params
new Signer({ privateKey: pem, signType: 'SHA512' }); // @expect-error unknown sign type
new Signer({ privateKey: pem, provider: 'openssl' }); // @expect-error unknown provider
canonicalize({}, { profile: 'stripe' }); // @expect-error unknown profile
canonicalize({}, { message: 'letter' }); // @expect-error unknown message kind
generateKeyPair({ bits: 1024 }); // @expect-error unsupported size
const flag: false = new Verifier({ publicKey: pem }).verify({}).valid; // @expect-error valid is always true
const n: number = signer.signType; // @expect-error sign type is a string union
new Signer({ privateKey: 42 }); // @expect-error key is a string or bytes
new Signer({}); // @expect-error a credential is required
new Signer({ profile: 'alipay', signType: 'RSA2' }); // @expect-error settings without a credential
new Signer({ privateKey: pem, secret: 'k' }); // @expect-error one credential, not two
new Verifier({}); // @expect-error a credential is required
new Verifier({ publicKey: pem, secret: 'k' }); // @expect-error one credential, not two
new Verifier({ publicKey: pem, signType: 'RSA2', signTypes: ['RSA2'] }); // @expect-error signType or signTypes, not both
signer.sign(new Map([['a', 1]])); // @expect-error Map values must be strings
signer.sign(amounted); // @expect-error interface with a number
const lost: { other: string } = signer.signParams({ a: '1' }); // @expect-error result keeps the input's fields
signer.sign(42); // @expect-error number params
new NotificationVerifier({ publicKey: pem, secret: 'k' }); // @expect-error two credentials
explain('a=1', { publicKey: pem, secret: 'k', now: 1 }); // @expect-error keys and a secret
explain('a=1', { publicKey: pem, now: '1795190410' }); // @expect-error now is Unix seconds
new NotificationVerifier({ publicKey: pem, accept: ['SHA512'] }); // @expect-error unknown sign type
new NotificationVerifier({ publicKey: pem, appID: 'x' }); // @expect-error misspelt option
const nv = new NotificationVerifier({ publicKey: pem });
nv.verify({ notify_id: 'N1' }); // @expect-error a parsed body is not a raw body
nv.verify('a=1', { expectedAmount: '19.59' }); // @expect-error amounts are fen numbers
const fen: string = nv.verify('a=1').totalAmount; // @expect-error totalAmount is a number
nv.acknowledge('success'); // @expect-error ok is a boolean
nv.verifyResponse('code=SUCCESS', {}); // @expect-error requestNonce is required
nv.complete('N1'); // @expect-error complete takes the notification, not its id
nv.handle('a=1', undefined); // @expect-error handle needs the booking handler
new NotificationVerifier({ publicKey: pem, replayStore: { checkAndInsert: () => true, forget: () => {} } }); // @expect-error a store claims, completes and releases
new NotificationVerifier({ publicKey: pem, replayStore: { claim: () => ({ status: 'new' }), complete() {}, release() {} } }); // @expect-error claim answers claimed, in-progress or done
redisReplayStore('redis://127.0.0.1:6379'); // @expect-error a connected client, not a URL
redisReplayStore({ sendCommand: async (args: string[]) => args }, { prefx: 'shop-1:' }); // @expect-error misspelt option
upstashReplayStore({ url: 'https://example.upstash.io' }); // @expect-error the REST token is required
buildRequest('order.create', { outTradeNo: 'M1', itemId: 'I', billNo: 'B', totalAmount: '19.59', notifyUrl: 'u' }, { appId: '1', signer }); // @expect-error amounts are numbers
buildRequest('order.cancel', {}, { appId: '1', signer }); // @expect-error unknown method
buildRequest('order.query', { outTradeNo: 'M1', tradeNo: 'T1' }, { appId: '1', signer }); // @expect-error one order reference
buildRequest('order.query', { outTradeNo: 'M1' }, { appId: '1' }); // @expect-error signer is required
parseYuan(12.34); // @expect-error yuan is text
reconcile('s', 'r', { billDate: '2026-11-20', columns: { orderNo: 'o', amount: 'a', time: 't' } }); // @expect-error amountUnit is required
signer.authorization({ url: '/v3/x' }); // @expect-error method is required
signer.authorization({ method: 'GET', url: '/v3/x', timestamp: '1' }); // @expect-error timestamp is a number
signer.stringToSign({ method: 'GET', url: '/v3/x' }); // @expect-error the string to sign needs timestamp and nonce
new Signer({ privateKey: pem, mchId: 1230000109 }); // @expect-error mchId is text
signer.webhookHeaders({ body: '{}' }); // @expect-error id is required
signer.requestHeaders({ body: '{}' }); // @expect-error a request gives the values its profile signs
const sig: number = signer.webhookHeaders({ id: 'm', body: '' })['webhook-signature']; // @expect-error headers are strings
fetchHandler(nv, async (notifyId: string) => {}); // @expect-error book takes the notification, not its id
nodeHandler(nv, () => {}, { now: 1795190410 }); // @expect-error now is a clock, not a time
koa(nv, () => {}, { clock: () => 1795190410 }); // @expect-error misspelt option
express({ publicKey: pem }, () => {}); // @expect-error a verifier, not its options
nodeHandler(nv, () => {}, { onError: (error: Error) => {} }); // @expect-error onError hears whatever was thrown (unknown)
fetchHandler(nv, () => {})({ url: '/paysign/notify', body: 'a=1' }); // @expect-error a fetch Request, not a request-like object
const text: Promise<string> = fetchHandler(nv, () => {})(new Request('http://localhost/')); // @expect-error the handler answers a Response
