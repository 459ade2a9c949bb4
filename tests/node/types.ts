// Compile-only check of the hand-written typings (tsc --noEmit --strict, see tsconfig.json):
// every export used the way the README shows. Never run.
import {
  NotificationVerifier,
  PaysignError,
  Signer,
  Verifier,
  buildRequest,
  buildRequestAsync,
  canonicalize,
  explain,
  formatYuan,
  parseYuan,
  reconcile,
  generateKeyPair,
  generateKeyPairAsync,
  init,
  initSync,
  sign,
  signAsync,
  verify,
  verifyAsync,
} from 'paysign';
import { redisReplayStore, upstashReplayStore } from 'paysign/redis';
import type { IoRedisClientLike, NodeRedisClientLike, RedisReplayStoreOptions } from 'paysign/redis';
import { MAX_BODY_BYTES, express, fastify, fetchHandler, koa, nodeHandler } from 'paysign/frameworks';
import type { AdapterOptions, Book, KoaContextLike, NodeRequestLike, NodeResponseLike } from 'paysign/frameworks';
import type {
  Acknowledgement,
  Diagnosis,
  ErrorCode,
  GatewayResponse,
  Notification,
  NotificationVerifierOptions,
  ReplayClaim,
  ReplayStore,
  ReconcileClass,
  ReconcileResult,
  SignedHeaders,
  SignedRequest,
  TradeStatus,
  KeyPair,
  ParamsInput,
  Provider,
  ProviderChoice,
  SignType,
  SignerOptions,
  VerifierOptions,
  VerifyResult,
  V3Authorization,
  V3Request,
  WebhookHeaders,
} from 'paysign';

declare const pem: string;
declare const der: Uint8Array;

/** A typed message, as applications declare them: an interface, not a Record. */
interface Order {
  out_trade_no: string;
  total_amount: string;
}
declare const typedOrder: Order;

async function main(): Promise<void> {
  await init();
  initSync();

  const order: Record<string, string> = { out_trade_no: 'M1', total_amount: '1959' };
  const canonical: string = canonicalize(order, { profile: 'alipay', message: 'notification' });

  const options: SignerOptions = { profile: 'paysign', signType: 'RSA2', privateKey: pem, provider: 'auto' };
  const signer = new Signer(options);
  const signature: string = signer.sign(order);
  const asyncSignature: Promise<string> = signer.signAsync(new Map([['a', '1']]));
  const signedObject: Record<string, string> = signer.signParams(order);
  const signedForm: URLSearchParams = signer.signParams(new URLSearchParams('a=1'));
  const signedMap: Map<string, string> = signer.signParams(new Map([['a', '1']]));
  const signedPairs: Array<[string, string]> = signer.signParams([['a', '1']] as const);
  const signedOrder: Order & { sign: string; sign_type?: string } = signer.signParams(typedOrder);
  const orderSignature: string = signer.sign(typedOrder);
  const orderCheck: VerifyResult = verify(signedOrder, { publicKey: pem });
  const signedLater: Promise<URLSearchParams> = signer.signParamsAsync(new URLSearchParams());
  const type: SignType = signer.signType;
  const choice: ProviderChoice = signer.provider;
  const provider: Provider = choice.sync;
  signer.free();
  {
    using disposable = new Signer({ secret: der, signType: 'MD5' });
    disposable.canonicalize([['a', '1']]);
  }

  // WeChat Pay v3: the Authorization header; Standard Webhooks: the webhook-* headers.
  const v3 = new Signer({ profile: 'wechat-v3', privateKey: pem, mchId: '1230000109', serialNo: '3775B6A4' });
  const v3Request: V3Request = { method: 'POST', url: '/v3/pay/transactions/jsapi', body: '{}' };
  const auth: V3Authorization = v3.authorization(v3Request);
  const header: string = auth.authorization;
  const signedAt: number = auth.timestamp;
  const nonce: string = auth.nonce;
  const authLater: Promise<V3Authorization> = v3.authorizationAsync({ method: 'GET', url: '/v3/certificates', timestamp: 1, nonce: 'n' });
  const v3String: string = v3.stringToSign({ method: 'GET', url: '/v3/certificates', timestamp: 1554208460, nonce: 'n' });
  const webhooks = new Signer({ profile: 'standard-webhooks', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
  const hooks: WebhookHeaders = webhooks.webhookHeaders({ id: 'msg_1', body: '{}', timestamp: 1614265330 });
  const hookSignature: string = hooks['webhook-signature'];
  // Any header-signed profile: the headers to send, whatever their names.
  const sent: SignedHeaders = v3.requestHeaders({ method: 'POST', url: '/v3/refund/domestic/refunds', body: '{}' });
  const sentHeaders: Readonly<Record<string, string>> = sent.headers;
  const sentNonce: string | undefined = sent.nonce;
  const sentLater: Promise<SignedHeaders> = webhooks.requestHeadersAsync({ id: 'msg_2' });
  const webhookString: string = webhooks.stringToSign({ id: 'msg_2', timestamp: 1614265330, body: '{}' });
  // Alipay certificate mode: PEM text or DER bytes.
  const certMode = new Signer({ profile: 'alipay', privateKey: pem, appCert: pem, alipayRootCert: der });
  const withSns: Record<string, string> = certMode.signParams(order);

  const verifierOptions: VerifierOptions = { publicKey: pem, signTypes: ['RSA', 'RSA2'], message: 'notification' };
  const verifier = new Verifier(verifierOptions);
  const accepted: readonly SignType[] = verifier.accepted;
  const result: VerifyResult = verifier.verify(signedObject);
  const valid: true = result.valid;
  const later: VerifyResult = await verifier.verifyAsync(signedForm);

  const once: string = sign(order, { secret: 'k', signType: 'HMAC-SHA256' });
  const onceAsync: string = await signAsync(order, { privateKey: der });
  const checked: VerifyResult = verify(signedMap, { publicKey: pem });
  const checkedAsync: VerifyResult = await verifyAsync(signedPairs, { secret: 'k', signType: 'MD5' });

  const pair: KeyPair = generateKeyPair({ bits: 2048 });
  const pairLater: KeyPair = await generateKeyPairAsync({ bits: 4096, provider: 'webcrypto' });
  const pem2: string = pair.privateKeyPem + pairLater.publicKeyBase64;

  try {
    verifier.verify(order);
  } catch (e) {
    if (e instanceof PaysignError) {
      const code: ErrorCode = e.code;
      if (code === 'SIGNATURE_MISMATCH') console.log(e.message);
    }
  }

  const input: ParamsInput = order;
  const fromUnion: string = signer.sign(input) + canonicalize(input);
  console.log(fromUnion, orderSignature, orderCheck, canonical, signature, asyncSignature, signedLater, type, provider, accepted, valid, later, once, onceAsync, checked, checkedAsync, pem2, input);
}

/** The notification API, as the README shows it. */
async function notifications(request: Request, rawBody: Uint8Array, nodeHeaders: Record<string, string | string[] | undefined>): Promise<Response> {
  const options: NotificationVerifierOptions = { profile: 'paysign', publicKey: pem, accept: ['RSA2'], appId: '2026000000000001', toleranceSecs: 300, maxAgeSecs: 93600, provider: 'auto' };
  const verifier = new NotificationVerifier(options);
  const n: Notification = verifier.verify(rawBody, { contentType: 'application/x-www-form-urlencoded', headers: nodeHeaders, expectedAmount: 1959, now: Date.now() / 1000 });
  const fen: number = n.totalAmount;
  const refund: number | null = n.refundAmount;
  const status: TradeStatus = n.status;
  const known: boolean = status === 'SUCCESS' || status === 'REFUNDED';
  const id: string = n.notifyId;
  const app: string | null = n.appId;
  const field: string | undefined = n.params['passback_params'];
  if (!n.duplicate) verifier.complete(n, { now: 1795190411 });
  verifier.release(n);
  verifier.checkAmount(n, 1959);
  const lease: number = verifier.leaseSecs;
  const handled: Notification = await verifier.handle(rawBody, { headers: nodeHeaders }, async (booked: Notification) => {
    verifier.checkAmount(booked, 1959);
  });
  try {
    await verifier.handle(rawBody, undefined, () => {});
  } catch (e) {
    if (e instanceof PaysignError && e.booked === true && e.notification !== undefined) {
      const bookedId: string = e.notification.notifyId;
    }
  }
  const later: Notification = await verifier.verifyAsync('a=1', { headers: [['Content-Type', 'text/plain']] });
  const fromRequest: Notification = await verifier.verifyRequest(request, { now: 1795190410 });
  const ack: Acknowledgement = verifier.acknowledge(true);
  const retry: Acknowledgement = verifier.acknowledge(false, 'database unavailable');
  const answer: Acknowledgement = verifier.acknowledgeError(new Error('booking failed'));
  const answered: Response = verifier.acknowledgeErrorResponse(answer);
  const response: Response = verifier.acknowledgeResponse(!fromRequest.duplicate);
  const reply: GatewayResponse = verifier.verifyResponse('code=SUCCESS', { requestNonce: 'abc', headers: new Headers() });
  const ok: boolean = reply.success && reply.code === 'SUCCESS' && verifier.verifySignature('{}', { headers: { 'wechatpay-serial': 'S' } }).valid;
  verifier.free();
  // A shared store of notification ids (a Map standing in for a database).
  const held = new Map<string, { token: string | null; until: number }>();
  const replayStore: ReplayStore = {
    async claim(id: string, now: number, leaseUntil: number): Promise<ReplayClaim> {
      const entry = held.get(id);
      if (entry !== undefined && entry.until > now) return entry.token === null ? { status: 'done' } : { status: 'in-progress' };
      const token = `${id}:${now}`;
      held.set(id, { token, until: leaseUntil });
      return { status: 'claimed', token };
    },
    complete(id: string, now: number, keepUntil: number): void {
      held.set(id, { token: null, until: keepUntil });
    },
    release(id: string, token: string): void {
      if (held.get(id)?.token === token) held.delete(id);
    },
  };
  const shared = new NotificationVerifier({ publicKey: pem, replayStore, leaseSecs: 60 });
  // paysign/redis (tests/node/types-redis.ts checks the real clients against these shapes).
  const storeOptions: RedisReplayStoreOptions = { prefix: 'shop-1:notify:', failOpen: false };
  const nodeRedisLike: NodeRedisClientLike = { sendCommand: async (args: string[]) => args.length };
  const ioredisLike: IoRedisClientLike = { call: async (command: string, ...args: string[]) => [command, ...args] };
  const onRedis: ReplayStore[] = [
    redisReplayStore(nodeRedisLike, storeOptions),
    redisReplayStore(ioredisLike),
    upstashReplayStore({ url: 'https://example.upstash.io', token: 'token', ...storeOptions }),
  ];
  const onRedisVerifier = new NotificationVerifier({ publicKey: pem, replayStore: onRedis[0] });
  const viaRedis: Notification = await onRedisVerifier.handle(rawBody, undefined, async () => {});
  const once: Notification = await shared.verifyAsync(rawBody);
  if (!once.duplicate) await shared.completeAsync(once);
  await shared.releaseAsync(once);
  {
    using wechat = new NotificationVerifier({
      profile: 'wechat-v3',
      publicKeys: { '5157F09EFDC096DE15EBE81A47057A7232F1B8E1': pem, PUB_KEY_ID_0112345678902026112100218700000001: der },
      decryptionKey: 'apiv3-key-of-32-bytes-0123456789',
    });
    wechat.verify(rawBody, { headers: new Headers() });
  }
  const webhooks = new NotificationVerifier({ profile: 'standard-webhooks', secrets: ['whsec_a', 'whsec_b'], provider: 'webcrypto' });
  const unionpay = new NotificationVerifier({ profile: 'unionpay', publicKeys: new Map([['69042905377', pem]]) });
  console.log(fen, refund, known, app, field, later, ack, retry, reply, ok, webhooks.accepted, unionpay.provider);
  return response;
}

/** Gateway requests, amounts, reconciliation and diagnosis. */
async function tools(signer: Signer): Promise<void> {
  const order: SignedRequest<'order.create'> = buildRequest(
    'order.create',
    { outTradeNo: 'M20261120000001', itemId: 'SH-WATER-01', billNo: 'SHW2026110042', totalAmount: parseYuan('67.54'), notifyUrl: 'https://m.example/notify' },
    { appId: '2026000000000001', signer },
  );
  const path: '/gateway/v1/order.create' = order.path;
  const body: string = order.toForm() + order.toJson() + order.toQuery() + order.nonce + order.params['sign'];
  await buildRequestAsync('order.pay', { tradeNo: 'T1', payMethod: 'BANK_CARD' }, { appId: '1', signer, timestamp: 1795190400, nonce: 'a1b2c3d4e5f60718' });
  buildRequest('order.refund', { outTradeNo: 'M1', outRefundNo: 'R1', refundAmount: 100 }, { appId: '1', signer });
  buildRequest('statement.download', { billDate: '2026-11-20', type: 'FUND' }, { appId: '1', signer });
  const yuan: string = formatYuan(order.params['total_amount'] === '6754' ? 6754 : 0);

  const result: ReconcileResult = reconcile('statement', new Uint8Array(), {
    billDate: '2026-11-20',
    format: 'jsonl',
    columns: { orderNo: 'order_id', amount: 'amount_yuan', amountUnit: 'yuan', time: 'paid_at', status: 'state', statusMap: { PAID: 'SUCCESS' } },
    report: 'csv',
  });
  const cls: ReconcileClass = 'MISSING_LOCALLY';
  const missing: number = result.report.classes[cls].count + result.report.balance.difference;
  const clean: boolean = result.report.clean;

  const diagnosis: Diagnosis = explain('a=1&sign=x', { profile: 'alipay', signTypes: ['RSA2'], publicKeys: { gateway: pem }, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  explain('a=1&sign=x', { profile: 'wechat-v3', publicKey: pem, publicKeys: { SERIAL: pem }, decryptionKey: pem, appId: 'wx1', mchId: '1', toleranceSecs: 300, maxAgeSecs: 600, expectedAmount: 6754, now: 1795190410 });
  explain('a=1&sign=x', { secret: 'k', secrets: ['old'] });
  const codes: string[] = diagnosis.findings.map((f) => f.code);
  console.log(path, body, yuan, result.summary, result.differences, missing, clean, codes, diagnosis.verified, diagnosis.matchingKey);
}

/**
 * paysign/frameworks, with the framework objects as the adapters describe them
 * (tests/node/types-frameworks.ts checks the frameworks' own types against these shapes).
 */
async function frameworks(verifier: NotificationVerifier, request: Request, req: NodeRequestLike, res: NodeResponseLike, ctx: KoaContextLike): Promise<Response> {
  const booked: string[] = [];
  const book: Book = async (n: Notification) => {
    booked.push(`${n.outTradeNo} ${n.totalAmount}`);
  };
  const options: AdapterOptions = {
    now: () => 1795190410,
    onError: (error: unknown, notification?: Notification) => console.error(notification?.notifyId, error instanceof PaysignError ? error.code : error),
  };
  const limit: number = MAX_BODY_BYTES;
  await express(verifier, book, options)(req, res, (error?: unknown) => console.error(error));
  await nodeHandler(verifier, () => {})(req, res);
  await koa(verifier, book)(ctx);
  const plugin: (instance: { removeAllContentTypeParsers(): void; addContentTypeParser(): void; setErrorHandler(): void; post(): void }) => Promise<void> = fastify(verifier, book, { onError: () => {} });
  console.log(limit, plugin, booked);
  const POST: (request: Request) => Promise<Response> = fetchHandler(verifier, book, options);
  return POST(request);
}

void main();
void notifications;
void frameworks;
void tools;
