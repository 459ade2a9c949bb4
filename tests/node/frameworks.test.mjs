// paysign/frameworks on the real frameworks: each example app (examples/<framework>-merchant/)
// serves on 127.0.0.1:0 and is posted the repository's signed notifications over HTTP —
// form, JSON, Alipay's GBK form, WeChat Pay's XML and its header-signed JSON — then forged,
// replayed, oversized copies, a booking that fails, and two copies that meet mid-booking.
// The handler (`book`) must see each notification once, and never a forged or refused one.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import express from 'express';
import Koa from 'koa';
import { NotificationVerifier, PaysignError } from 'paysign';
import { MAX_BODY_BYTES, express as paysignExpress, fastify as paysignFastify, fetchHandler, koa as paysignKoa, nodeHandler } from 'paysign/frameworks';
import { Hono } from 'hono';
import { getRequestListener } from '@hono/node-server';

import * as expressExample from '../../examples/express-merchant/server.mjs';
import * as fastifyExample from '../../examples/fastify-merchant/server.mjs';
import * as honoExample from '../../examples/hono-merchant/server.mjs';
import * as koaExample from '../../examples/koa-merchant/server.mjs';
import * as nodeExample from '../../examples/node-merchant/server.mjs';
import { waitFor } from './redis-server.mjs';
import { postOversized, postVector as post } from './notify-client.mjs';
import { asExpected, notifyCases, root } from './vectors.mjs';

const examples = [
  ['Express', expressExample],
  ['Fastify', fastifyExample],
  ['Koa', koaExample],
  ['Hono (on @hono/node-server)', honoExample],
  ['node:http', nodeExample],
];

// What each platform reads as "received" (sdk-core/src/message/ack.rs), written out here so
// that an adapter answering anything else fails.
const TEXT = 'text/plain; charset=utf-8';
const SUCCESS = {
  notify_paysign_form: [200, TEXT, 'success'],
  notify_paysign_json_refund: [200, TEXT, 'success'],
  notify_alipay_form_gbk: [200, TEXT, 'success'],
  notify_wechat_xml_hmac: [200, 'text/xml; charset=utf-8', '<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>'],
  'platforms/notify_wechat_v3_transaction': [200, 'application/json', '{"code":"SUCCESS","message":"成功"}'],
};
const cases = notifyCases({ failing: false }).filter((c) => c.name in SUCCESS);
const failing = notifyCases({ failing: true });
const paysignForm = cases.find((c) => c.name === 'notify_paysign_form');
const forged = failing.find((c) => c.name === 'fail_notify_tampered_amount');
const RETRY = [200, TEXT, 'fail'];
const REFUSAL = [400, TEXT, 'fail'];

/**
 * A merchant for one vector's platform, served by an example: its verifier (a fresh replay
 * store), a `book` the test can make fail or wait, what it booked, what onError heard.
 */
async function merchant(example, c, behaviour = {}) {
  const m = { booked: [], calls: 0, errors: [] };
  const book = async (n) => {
    m.calls += 1;
    await behaviour.before?.(n);
    m.booked.push(n);
  };
  m.server = await example.startServer({
    port: 0,
    verifier: new NotificationVerifier(c.options),
    book,
    now: () => c.call.now,
    onError: (error, notification) => m.errors.push({ error, notification }),
  });
  return m;
}

/** A promise the test resolves when it chooses. */
function gate() {
  let open;
  const opened = new Promise((resolve) => (open = resolve));
  return { opened, open };
}

for (const [framework, example] of examples) {
  describe(`paysign/frameworks on ${framework} (examples/, 127.0.0.1:0)`, () => {
    const running = [];
    const start = async (c, behaviour) => {
      const m = await merchant(example, c, behaviour);
      running.push(m);
      return m;
    };

    after(async () => {
      await Promise.all(running.map((m) => m.server.close()));
    });

    for (const c of cases) {
      it(`${c.name}: booked once with the platform's success answer; a replay is acknowledged, not booked`, async () => {
        const m = await start(c);
        assert.deepEqual(await post(m.server.url, c), SUCCESS[c.name]);
        assert.equal(m.booked.length, 1);
        assert.deepEqual(asExpected(m.booked[0], c.expect.notification), c.expect.notification);
        assert.deepEqual(await post(m.server.url, c), SUCCESS[c.name], 'the replay');
        assert.equal(m.calls, 1, 'the handler is not called for the replay');
        assert.deepEqual(m.errors, []);
      });
    }

    it('a forged notification is refused (400 fail) and never reaches the handler', async () => {
      const m = await start(paysignForm);
      assert.deepEqual(await post(m.server.url, forged), REFUSAL);
      assert.equal(m.calls, 0);
      assert.equal(m.errors.length, 1);
      assert.ok(m.errors[0].error instanceof PaysignError);
      assert.equal(m.errors[0].error.code, 'SIGNATURE_MISMATCH');
      // The genuine one still books.
      assert.deepEqual(await post(m.server.url, paysignForm), SUCCESS.notify_paysign_form);
      assert.equal(m.booked.length, 1);
    });

    it('a handler that throws is answered with a retry, and the next copy is booked', async () => {
      let failures = 1;
      const m = await start(paysignForm, {
        before: () => {
          if (failures-- > 0) throw new Error('database unavailable');
        },
      });
      assert.deepEqual(await post(m.server.url, paysignForm), RETRY);
      assert.equal(m.booked.length, 0);
      assert.equal(m.errors[0].error.message, 'database unavailable');
      assert.equal(m.errors[0].notification.notifyId, 'N20261121000000000001', 'onError is told which notification');
      assert.deepEqual(await post(m.server.url, paysignForm), SUCCESS.notify_paysign_form);
      assert.equal(m.booked.length, 1);
      assert.equal(m.calls, 2);
    });

    it('two copies during a slow booking: one is told to retry (in progress), the other succeeds', async () => {
      const slow = gate();
      const m = await start(paysignForm, { before: () => slow.opened });
      const first = post(m.server.url, paysignForm);
      await waitFor(() => m.calls === 1, { what: 'the first copy to reach the handler' });
      assert.deepEqual(await post(m.server.url, paysignForm), RETRY, 'the copy that meets the booking');
      assert.equal(m.errors[0].error.code, 'NOTIFICATION_IN_PROGRESS');
      slow.open();
      assert.deepEqual(await first, SUCCESS.notify_paysign_form);
      assert.equal(m.calls, 1);
      assert.equal(m.booked.length, 1);
    });

    it(`a body over ${MAX_BODY_BYTES} bytes is refused (BODY_TOO_LARGE) without reaching the handler`, async () => {
      const m = await start(paysignForm);
      assert.deepEqual(await postOversized(m.server.url, MAX_BODY_BYTES + 1), REFUSAL);
      assert.equal(m.errors[0].error.code, 'BODY_TOO_LARGE');
      assert.equal(m.calls, 0);
    });
  });
}

describe('paysign/frameworks: the rest of an application keeps its body parsers', () => {
  for (const [framework, example] of [['Express', expressExample], ['Fastify', fastifyExample]]) {
    it(`${framework}: a JSON route beside the notification route gets its parsed body`, async () => {
      const m = await merchant(example, paysignForm);
      try {
        const url = m.server.url.replace('/paysign/notify', '/orders/M1/note');
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ note: 'leave at the door' }) });
        assert.deepEqual(await response.json(), { order: 'M1', note: 'leave at the door' });
        assert.deepEqual(await post(m.server.url, paysignForm), SUCCESS.notify_paysign_form);
      } finally {
        await m.server.close();
      }
    });
  }
});

/** Runs `use(url)` against a node:http listener served on 127.0.0.1:0, then closes it. */
async function served(listener, use) {
  const server = http.createServer(listener);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await use(`http://127.0.0.1:${server.address().port}/notify`);
  } finally {
    await new Promise((done) => server.close(done));
  }
}

describe('paysign/frameworks: a body read before the adapter is an error, never verified', () => {
  const verifier = () => new NotificationVerifier(paysignForm.options);
  const now = () => paysignForm.call.now;
  const ENDPOINT_ERROR = [500, 'text/plain; charset=utf-8', 'notification endpoint error; see the server log\n'];

  /** A booking that counts its calls, and the errors reported, wherever they are reported. */
  function observed() {
    const seen = { calls: 0, errors: [] };
    seen.book = () => {
      seen.calls += 1;
    };
    seen.report = (error) => seen.errors.push(error);
    return seen;
  }

  /** A request's body as text, read the way a body parser reads it. */
  const drain = async (stream) => {
    let text = '';
    for await (const chunk of stream) text += chunk;
    return text;
  };

  for (const [parser, mount, c] of [
    ['express.urlencoded()', express.urlencoded(), paysignForm],
    ['express.json()', express.json(), cases.find((x) => x.name === 'notify_paysign_json_refund')],
    ['express.text()', express.text({ type: '*/*' }), paysignForm],
  ]) {
    it(`Express behind ${parser}: a 500 and a TypeError that says to mount the route first or use express.raw({ type: '*/*' })`, async () => {
      const seen = observed();
      const app = express();
      app.use(mount);
      app.post('/notify', paysignExpress(verifier(), seen.book, { now }));
      app.use((error, req, res, next) => {
        seen.report(error);
        res.status(500).end();
      });
      await served(app, async (url) => {
        assert.equal((await post(url, c))[0], 500);
      });
      assert.equal(seen.calls, 0);
      assert.equal(seen.errors.length, 1);
      assert.ok(seen.errors[0] instanceof TypeError);
      assert.match(seen.errors[0].message, /read before the endpoint \(the parsed body is (an object|a string)\)/);
      assert.ok(seen.errors[0].message.includes("express.raw({ type: '*/*' })"), seen.errors[0].message);
    });
  }

  it("Express behind express.raw({ type: '*/*' }): the raw parser's bytes are verified and booked", async () => {
    const seen = observed();
    const app = express();
    app.use(express.raw({ type: '*/*' }));
    app.post('/notify', paysignExpress(verifier(), seen.book, { now }));
    await served(app, async (url) => {
      assert.deepEqual(await post(url, paysignForm), SUCCESS.notify_paysign_form);
    });
    assert.equal(seen.calls, 1);
  });

  it('Koa behind a body parser (a stand-in for koa-bodyparser): a 500, and the error says to mount the route first', async () => {
    const seen = observed();
    const app = new Koa();
    app.silent = true; // the errors are collected instead of printed
    app.on('error', seen.report);
    app.use(async (ctx, next) => {
      ctx.request.body = Object.fromEntries(new URLSearchParams(await drain(ctx.req)));
      await next();
    });
    app.use(paysignKoa(verifier(), seen.book, { now }));
    await served(app.callback(), async (url) => {
      assert.equal((await post(url, paysignForm))[0], 500);
    });
    assert.equal(seen.calls, 0);
    assert.ok(seen.errors[0] instanceof TypeError);
    assert.match(seen.errors[0].message, /read before the endpoint \(the parsed body is an object\).*Mount the notification route before koa-bodyparser/);
  });

  it('node:http after the request was read: a 500, and onError hears why', async () => {
    const seen = observed();
    const notify = nodeHandler(verifier(), seen.book, { now, onError: seen.report });
    const listener = async (req, res) => {
      await drain(req);
      await notify(req, res);
    };
    await served(listener, async (url) => {
      assert.deepEqual(await post(url, paysignForm), ENDPOINT_ERROR);
    });
    assert.equal(seen.calls, 0);
    assert.match(seen.errors[0].message, /read before the endpoint \(its stream was consumed\).*Hand nodeHandler the request untouched/);
  });

  it('Hono after c.req.text(): a 500, and onError hears that the Request was used', async () => {
    const seen = observed();
    const notify = fetchHandler(verifier(), seen.book, { now, onError: seen.report });
    const app = new Hono();
    app.post('/notify', async (c) => {
      await c.req.text();
      return notify(c.req.raw);
    });
    await served(getRequestListener(app.fetch), async (url) => {
      assert.deepEqual(await post(url, paysignForm), ENDPOINT_ERROR);
    });
    assert.equal(seen.calls, 0);
    assert.ok(seen.errors[0] instanceof TypeError);
    assert.match(seen.errors[0].message, /c\.req\.raw, before any c\.req\.json\(\)/);
  });
});

describe('paysign/frameworks: misuse is a TypeError at construction', () => {
  const verifier = new NotificationVerifier(paysignForm.options);
  it('names the argument and what it must be', () => {
    assert.throws(() => paysignExpress({}, () => {}), /express\(verifier, book, options\?\): verifier must be a NotificationVerifier/);
    assert.throws(() => paysignFastify(verifier), /fastify\(verifier, book, options\?\): book must be a function/);
    assert.throws(() => paysignKoa(verifier, () => {}, { clock: () => 1 }), /unknown option clock \(the options are now and onError\)/);
    assert.throws(() => nodeHandler(verifier, () => {}, { now: 1795190410 }), /options\.now must be a clock, a function returning Unix seconds/);
    assert.throws(() => fetchHandler(verifier, () => {}, { onError: 'console' }), /options\.onError must be a function/);
  });

  it('a fetch handler called with something else than a Request says what to pass', async () => {
    const handler = fetchHandler(verifier, () => {});
    await assert.rejects(handler({ req: {} }), /call the handler with a fetch Request \(Hono: c\.req\.raw, not c\)/);
  });
});

describe('paysign/frameworks: each build answers with the PaysignError of the entry point its runtime loads', () => {
  // An oversized body is the one error the adapters make themselves: acknowledgeError
  // refuses it (400) only if it is the verifier's own PaysignError class, else it would ask
  // for a retry (200 fail).
  const oversized = () => new Request('http://merchant.test/notify', { method: 'POST', body: new Uint8Array(MAX_BODY_BYTES + 1) });

  it('Node, import: paysign/frameworks with paysign', async () => {
    const handler = fetchHandler(new NotificationVerifier(paysignForm.options), () => {}, { onError: () => {} });
    assert.equal((await handler(oversized())).status, 400);
  });

  it('Node, require: paysign/frameworks with paysign', async () => {
    const require = createRequire(import.meta.url);
    const { NotificationVerifier: Cjs } = require('paysign');
    const handler = require('paysign/frameworks').fetchHandler(new Cjs(paysignForm.options), () => {}, { onError: () => {} });
    assert.equal((await handler(oversized())).status, 400);
  });

  it('web (workers, Deno, browsers): frameworks.web.mjs with paysign/web', async () => {
    const web = await import('paysign/web');
    web.initSync(fs.readFileSync(path.join(root, 'sdk-wasm/pkg/web/paysign_wasm_bg.wasm')));
    const frameworks = await import(path.join(root, 'sdk-wasm/pkg/frameworks.web.mjs'));
    const handler = frameworks.fetchHandler(new web.NotificationVerifier(paysignForm.options), () => {}, { onError: () => {} });
    assert.equal((await handler(oversized())).status, 400);
  });
});
