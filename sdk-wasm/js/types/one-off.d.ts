// paysign's typings, types/one-off.d.ts (layout: index.d.ts): the one-off functions
// (api/one-off.mjs).
import type { CanonicalOptions, ParamsShape } from './params.js';
import type { SignerOptions } from './signer.js';
import type { VerifierOptions, VerifyResult } from './verifier.js';

/**
 * The canonical string of `params` (default: paysign profile, request). wechat-v3 and
 * standard-webhooks have none (`UNSUPPORTED_OPERATION`): see `Signer.stringToSign`.
 */
export declare function canonicalize<P extends ParamsShape<P>>(params: P, options?: CanonicalOptions): string;

/** One-off signature: parses the key on every call; use `Signer` to sign many messages. */
export declare function sign<P extends ParamsShape<P>>(params: P, options: SignerOptions): string;

/** One-off `signAsync`. */
export declare function signAsync<P extends ParamsShape<P>>(params: P, options: SignerOptions): Promise<string>;

/** One-off verification: parses the key on every call; use `Verifier` for many messages. */
export declare function verify<P extends ParamsShape<P>>(params: P, options: VerifierOptions): VerifyResult;

/** One-off `verifyAsync`. */
export declare function verifyAsync<P extends ParamsShape<P>>(params: P, options: VerifierOptions): Promise<VerifyResult>;
