// paysign's typings, types/errors.d.ts (layout: index.d.ts): the error class and the core's
// stable codes (api/errors.mjs).
import type { Notification } from './notification-verifier.js';

/** The stable error codes of paysign-core (`Error::code()`), shared with the CLI and the gateway. */
export type ErrorCode =
  | 'PARAM_DUPLICATE'
  | 'PARAM_NAME_INVALID'
  | 'SIGNATURE_MISSING'
  | 'SIGNATURE_MISMATCH'
  | 'SIGNATURE_MALFORMED'
  | 'SIGN_TYPE_MISSING'
  | 'SIGN_TYPE_NOT_ALLOWED'
  | 'UNSUPPORTED_SIGN_TYPE'
  | 'ALGORITHM_UNAVAILABLE'
  | 'UNSUPPORTED_PROFILE'
  | 'CREDENTIAL_MISMATCH'
  | 'KEY_INVALID'
  | 'KEY_TOO_SMALL'
  | 'KEY_ENCRYPTED'
  | 'KEY_KIND_MISMATCH'
  | 'KEY_GENERATION_FAILED'
  | 'KEY_UNKNOWN_SERIAL'
  | 'SIGNATURE_PROBE'
  | 'DECRYPTION_FAILED'
  | 'SECRET_EMPTY'
  | 'SECRET_IS_A_KEY'
  | 'RANDOM_UNAVAILABLE'
  | 'BODY_TOO_LARGE'
  | 'BODY_MALFORMED'
  | 'NESTING_TOO_DEEP'
  | 'CHARSET_UNSUPPORTED'
  | 'CHARSET_INVALID'
  | 'CHARSET_CONFLICT'
  | 'FIELD_MISSING'
  | 'FIELD_INVALID'
  | 'AMOUNT_INVALID'
  | 'AMOUNT_MISMATCH'
  | 'APP_ID_MISMATCH'
  | 'MERCHANT_ID_MISMATCH'
  | 'APP_ID_ABSENT'
  | 'TIMESTAMP_INVALID'
  | 'TIMESTAMP_OUT_OF_WINDOW'
  | 'UNSUPPORTED_OPERATION'
  | 'REPLAY_DETECTED'
  | 'NOTIFICATION_IN_PROGRESS'
  | 'REPLAY_STORE_UNAVAILABLE';

/**
 * Every message, key and configuration failure. Wrong JavaScript types throw `TypeError`;
 * an uninitialised module (web entry) and an unavailable provider throw `Error`.
 */
export declare class PaysignError extends Error {
  constructor(message: string, code: ErrorCode);
  readonly name: 'PaysignError';
  /** Stable machine-readable code, e.g. `SIGNATURE_MISMATCH`. */
  readonly code: ErrorCode;
  /** Set by `NotificationVerifier.handle` when the handler booked the notification but the replay store did not record it: acknowledge success. */
  readonly booked?: true;
  /** The booked notification, with `booked`. */
  readonly notification?: Notification;
}
