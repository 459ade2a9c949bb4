// paysign's JavaScript layer, sdk-wasm/js/api/ (layout: scripts/build-wasm.sh): explain, why
// a message does (or doesn't) verify, in the tools module: the core tries the common
// integration mistakes for real. Imports http.mjs, keys.mjs, options.mjs.
import { bodyBytes, headerList } from './http.mjs';
import { keyBytes, secretBytes } from './keys.mjs';
import { checkKeys, entriesOf, nowOf, optionalString, optionsObject, signTypeList } from './options.mjs';

const EXPLAIN_OPTIONS = ['profile', 'message', 'signTypes', 'publicKey', 'publicKeys', 'secret', 'secrets', 'decryptionKey', 'contentType', 'headers', 'appId', 'mchId', 'toleranceSecs', 'maxAgeSecs', 'expectedAmount', 'now'];

/** explain over the modules of one entry point (createApi's context: `tools`). */
export function explainFunction({ tools }) {
  /**
   * Why does (or doesn't) a message verify? Checks it as a NotificationVerifier with the
   * same options would (`verified` is that verdict), then tries the common integration
   * mistakes for real: `{ verified, signType, canonical, matchingKey, findings: [{ code, message }] }`.
   */
  function explain(body, options) {
    const module = tools.bindings();
    const bytes = bodyBytes(body, 'body');
    if (options === undefined) throw new TypeError('explain needs options: { publicKey } or { secret } (what you verify with), and profile, signTypes as you configured them');
    const opts = optionsObject(options, 'explain');
    checkKeys(opts, EXPLAIN_OPTIONS, 'explain');
    const labels = [];
    const keys = [];
    if (opts.publicKey !== undefined) {
      labels.push('publicKey');
      keys.push(keyBytes(opts.publicKey, 'options.publicKey'));
    }
    if (opts.publicKeys !== undefined) {
      for (const [label, key] of entriesOf(opts.publicKeys, 'options.publicKeys')) {
        labels.push(label);
        keys.push(keyBytes(key, `options.publicKeys[${JSON.stringify(label)}]`));
      }
    }
    const secrets = [];
    if (opts.secret !== undefined) secrets.push(secretBytes(opts.secret, 'options.secret'));
    if (opts.secrets !== undefined) {
      if (!Array.isArray(opts.secrets)) throw new TypeError('options.secrets must be an array');
      opts.secrets.forEach((s, i) => secrets.push(secretBytes(s, `options.secrets[${i}]`)));
    }
    const settings = {
      profile: optionalString(opts, 'profile'),
      message: optionalString(opts, 'message'),
      signTypes: opts.signTypes === undefined ? undefined : signTypeList(opts.signTypes, 'options.signTypes'),
      contentType: optionalString(opts, 'contentType'),
      keyLabels: labels,
      // The verifier's options, as a NotificationVerifier and its verify() take them:
      // explain's verdict is that verifier's.
      unnamedFirstKey: opts.publicKey !== undefined,
      appId: opts.appId,
      mchId: opts.mchId,
      toleranceSecs: opts.toleranceSecs,
      maxAgeSecs: opts.maxAgeSecs,
      expectedAmount: opts.expectedAmount,
      now: nowOf(opts.now, 'options.now'),
    };
    const decryptionKey = opts.decryptionKey === undefined ? undefined : secretBytes(opts.decryptionKey, 'options.decryptionKey');
    const headers = headerList(opts.headers, 'options.headers');
    return JSON.parse(tools.call(() => module.explain(bytes, settings, keys, secrets, decryptionKey, headers)));
  }
  return explain;
}
