// Run with: make wasm && node examples/web/serve.mjs   (then open the printed URL)
//
// The paysign package in a browser: explicit async init, a key pair from WebCrypto, then a
// bill-payment order request signed and verified with the provider of your choice, and a
// payment notification verified with NotificationVerifier (WebCrypto) as a merchant's
// fetch handler would. The browser test (tests/browser/) drives this page.
import { init, generateKeyPairAsync, NotificationVerifier, PaysignError, Signer, Verifier } from 'paysign';

const $ = (id) => document.getElementById(id);

const sampleOrder = {
  app_id: '2026000000000001',
  method: 'order.create',
  version: '1.0',
  timestamp: String(Math.floor(Date.now() / 1000)),
  nonce: crypto.randomUUID(),
  out_trade_no: `M${Date.now()}`,
  item_id: 'SH-WATER-01',
  bill_no: 'SHW2026110007',
  total_amount: '1959',
  notify_url: 'https://merchant.example/notify',
  subject: '上海自来水 11月',
};

function show(id, text, ok) {
  const el = $(id);
  el.textContent = text;
  if (ok === undefined) delete el.dataset.ok;
  else el.dataset.ok = String(ok);
}

function describe(error) {
  return error instanceof PaysignError ? `${error.code}: ${error.message}` : `${error.name}: ${error.message}`;
}

async function signOrder() {
  show('signature', '');
  show('verify-result', '');
  const provider = $('provider').value;
  try {
    const params = JSON.parse($('params').value);
    const signer = new Signer({ privateKey: $('private-key').value, provider });
    try {
      // signParams adds sign_type and sign; webcrypto is asynchronous only.
      const signed = provider === 'webcrypto' ? await signer.signParamsAsync(params) : signer.signParams(params);
      show('canonical', signer.canonicalize(signed));
      show('signature', signed.sign, true);
      $('signed').value = new URLSearchParams(signed).toString();
    } finally {
      signer.free();
    }
  } catch (error) {
    show('signature', describe(error), false);
  }
  document.body.dataset.step = `signed-${provider}`;
}

async function verifyForm() {
  const provider = $('provider').value;
  try {
    const verifier = new Verifier({ publicKey: $('public-key').value, message: 'request', provider });
    try {
      const form = new URLSearchParams($('signed').value.trim());
      const result = provider === 'webcrypto' ? await verifier.verifyAsync(form) : verifier.verify(form);
      show('verify-result', `valid (${result.signType})`, true);
    } finally {
      verifier.free();
    }
  } catch (error) {
    show('verify-result', describe(error), false);
  }
  document.body.dataset.step = `verified-${provider}`;
}

// One verifier per gateway key, configured once: it remembers the notification ids it
// completed, so a retried notification comes back as a duplicate.
const notificationVerifiers = new Map();

function notificationVerifier(publicKey) {
  let verifier = notificationVerifiers.get(publicKey);
  if (verifier === undefined) {
    verifier = new NotificationVerifier({ publicKey, accept: ['RSA2'], provider: 'webcrypto' });
    notificationVerifiers.set(publicKey, verifier);
  }
  return verifier;
}

async function verifyNotification() {
  show('notify-ack', '');
  try {
    const verifier = notificationVerifier($('notify-key').value);
    // What a Worker, Deno or Next.js route handler receives.
    const request = new Request(location.href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: $('notify-body').value.trim(),
    });
    const n = await verifier.verifyRequest(request, { now: Number($('notify-now').value) });
    const { outTradeNo, status, totalAmount, signType, duplicate } = n;
    // A merchant books the order here; the page has nothing to book, so it records the
    // notification as handled straight away (a duplicate needs no call).
    verifier.complete(n);
    show('notify-result', JSON.stringify({ outTradeNo, status, totalAmount, signType, duplicate }), true);
    show('notify-ack', verifier.acknowledge(true).body, true);
  } catch (error) {
    show('notify-result', describe(error), false);
  }
  document.body.dataset.step = 'notified';
}

/** A notification as the gateway would send it, signed with the page's demo key. */
function demoNotification(privateKey) {
  const gateway = new Signer({ privateKey, message: 'notification', provider: 'wasm' });
  try {
    const now = Math.floor(Date.now() / 1000);
    const signed = gateway.signParams(
      new URLSearchParams({
        notify_id: `N${now}`,
        notify_time: String(now),
        app_id: '2026000000000001',
        out_trade_no: sampleOrder.out_trade_no,
        trade_no: `T${now}`,
        bill_no: sampleOrder.bill_no,
        trade_status: 'SUCCESS',
        total_amount: sampleOrder.total_amount,
      }),
    );
    return { body: signed.toString(), now };
  } finally {
    gateway.free();
  }
}

async function main() {
  await init();
  $('status').textContent = 'Generating a demo key pair with WebCrypto…';
  const pair = await generateKeyPairAsync({ bits: 2048 });
  $('private-key').value = pair.privateKeyPem;
  $('public-key').value = pair.publicKeyPem;
  $('params').value = JSON.stringify(sampleOrder, null, 2);
  $('sign').addEventListener('click', signOrder);
  $('verify').addEventListener('click', verifyForm);
  const demo = demoNotification(pair.privateKeyPem);
  $('notify-body').value = demo.body;
  $('notify-key').value = pair.publicKeyPem;
  $('notify-now').value = String(demo.now);
  $('notify-verify').addEventListener('click', verifyNotification);
  $('sign').disabled = false;
  $('verify').disabled = false;
  $('notify-verify').disabled = false;
  $('status').textContent = 'Ready: the key pair below was generated in this page and never leaves it.';
  document.body.dataset.ready = 'true';
}

main().catch((error) => {
  $('status').textContent = `Failed to start: ${describe(error)}`;
  document.body.dataset.ready = 'error';
});
