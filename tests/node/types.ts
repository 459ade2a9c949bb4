// Compile-only check of the hand-written typings (tsc --noEmit --strict, see tsconfig.json):
// every export used the way the README shows. Never run.
import {
  PaysignError,
  Signer,
  Verifier,
  canonicalize,
  generateKeyPair,
  generateKeyPairAsync,
  init,
  initSync,
  sign,
  signAsync,
  verify,
  verifyAsync,
} from 'paysign';
import type {
  ErrorCode,
  KeyPair,
  ParamsInput,
  Provider,
  ProviderChoice,
  SignType,
  SignerOptions,
  VerifierOptions,
  VerifyResult,
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

void main();
