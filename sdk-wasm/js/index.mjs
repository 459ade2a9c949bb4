// paysign for Node.js, ESM entry (`import ... from 'paysign'`): the CommonJS module's
// exports, so `require` and `import` in one program share one instance (no dual-package hazard).
import paysign from './index.cjs';

export const {
  PaysignError,
  Signer,
  Verifier,
  NotificationVerifier,
  buildRequest,
  buildRequestAsync,
  parseYuan,
  formatYuan,
  reconcile,
  explain,
  testNotification,
  canonicalize,
  sign,
  signAsync,
  verify,
  verifyAsync,
  generateKeyPair,
  generateKeyPairAsync,
  init,
  initSync,
  initSigning,
  initSigningSync,
  initTools,
  initToolsSync,
  initSm,
  initSmSync,
} = paysign;
