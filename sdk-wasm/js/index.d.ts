// Type definitions for paysign 0.1 (hand-written; the same files serve every entry point).
//
// Layout: one file per concern under types/, as the JavaScript layer has one module per
// concern under api/ (scripts/build-wasm.sh), each importing the types it names from the
// others; this file re-exports them all, and is what `paysign` and `paysign/web` resolve to
// (index.d.ts for require, its copy index.d.mts for import). A type added to a types/ file
// is exported by being declared there with `export`.
export * from './types/profiles.js';
export * from './types/params.js';
export * from './types/providers.js';
export * from './types/keys.js';
export * from './types/errors.js';
export * from './types/signer.js';
export * from './types/verifier.js';
export * from './types/one-off.js';
export * from './types/key-pairs.js';
export * from './types/init.js';
export * from './types/http.js';
export * from './types/replay-store.js';
export * from './types/notification-verifier.js';
export * from './types/requests.js';
export * from './types/amounts.js';
export * from './types/reconcile.js';
export * from './types/explain.js';
export * from './types/test-notification.js';
