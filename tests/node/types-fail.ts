// Must NOT compile: each line is a misuse the typings have to reject (checked by
// typings.test.mjs, which expects one error per `@expect-error` line and no other).
import { Signer, Verifier, canonicalize, generateKeyPair } from 'paysign';

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
signer.sign(new Map([['a', 1]])); // @expect-error Map values must be strings
signer.sign(amounted); // @expect-error interface with a number
const lost: { other: string } = signer.signParams({ a: '1' }); // @expect-error result keeps the input's fields
signer.sign(42); // @expect-error number params
