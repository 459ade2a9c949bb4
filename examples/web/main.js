// Run with: make wasm && node examples/web/serve.mjs   (then open the printed URL)
//
// The paysign package in a browser: explicit async init, a key pair from WebCrypto, then a
// bill-payment order request signed and verified with the provider of your choice. The
// browser test (tests/browser/) drives this page.
import { init, generateKeyPairAsync, PaysignError, Signer, Verifier } from 'paysign';

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

async function main() {
  await init();
  $('status').textContent = 'Generating a demo key pair with WebCrypto…';
  const pair = await generateKeyPairAsync({ bits: 2048 });
  $('private-key').value = pair.privateKeyPem;
  $('public-key').value = pair.publicKeyPem;
  $('params').value = JSON.stringify(sampleOrder, null, 2);
  $('sign').addEventListener('click', signOrder);
  $('verify').addEventListener('click', verifyForm);
  $('sign').disabled = false;
  $('verify').disabled = false;
  $('status').textContent = 'Ready: the key pair below was generated in this page and never leaves it.';
  document.body.dataset.ready = 'true';
}

main().catch((error) => {
  $('status').textContent = `Failed to start: ${describe(error)}`;
  document.body.dataset.ready = 'error';
});
