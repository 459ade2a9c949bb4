// paysign's JavaScript layer, sdk-wasm/js/api/ (layout: scripts/build-wasm.sh): test
// notifications, signed exactly as the platform sends them (the core's test-notification
// builders, as `paysign payload notification --profile P` prints them), in the tools
// module: for testing a merchant endpoint offline. Imports keys.mjs, options.mjs.
import { keyBytes, secretBytes } from './keys.mjs';
import { checkKeys, optionsObject } from './options.mjs';

const TEST_NOTIFICATION_OPTIONS = [
  'profile', 'signType', 'privateKey', 'secret', 'apiV3Key', 'status', 'amount', 'appId', 'mchId',
  'outTradeNo', 'tradeNo', 'notifyId', 'billNo', 'time', 'nonce', 'keyId', 'format',
];

// The credentials cross as bytes; everything else as the settings object the core reads.
const CREDENTIALS = ['privateKey', 'secret', 'apiV3Key'];

/** testNotification over the modules of one entry point (createApi's context: `tools`). */
export function testNotificationFunction({ tools }) {
  // A signed notification exactly as the platform sends it. The platform's key or secret signs it.
  function testNotification(options) {
    const module = tools.bindings();
    if (options === undefined) throw new TypeError('testNotification needs options: { profile, privateKey or secret, amount, appId, outTradeNo, tradeNo, time }');
    const opts = optionsObject(options, 'testNotification');
    checkKeys(opts, TEST_NOTIFICATION_OPTIONS, 'testNotification');
    const key = opts.privateKey === undefined ? undefined : keyBytes(opts.privateKey, 'options.privateKey');
    const secret = opts.secret === undefined ? undefined : secretBytes(opts.secret, 'options.secret');
    const apiV3Key = opts.apiV3Key === undefined ? undefined : secretBytes(opts.apiV3Key, 'options.apiV3Key');
    const settings = {};
    for (const name of TEST_NOTIFICATION_OPTIONS) {
      if (CREDENTIALS.includes(name) || opts[name] === undefined) continue;
      settings[name] = opts[name];
    }
    const message = JSON.parse(tools.call(() => module.testNotification(settings, key, secret, apiV3Key)));
    return {
      headers: Object.fromEntries([['Content-Type', message.contentType], ...message.headers]),
      contentType: message.contentType,
      body: message.body,
      notifyId: message.notifyId,
    };
  }
  return testNotification;
}
