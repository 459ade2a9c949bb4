// paysign/frameworks — a platform's notification endpoint on Express, Fastify, Koa, a fetch
// runtime (Next.js route handlers, Hono, Cloudflare Workers, Deno, Bun) or plain node:http.
//
// Every adapter runs one pipeline (docs/frameworks.md): read the raw body itself, whatever
// its content type, at most MAX_BODY_BYTES → NotificationVerifier.handle(body, { headers,
// now }, book) → the verifier's answer: acknowledge(true) for a notification booked now or
// before, acknowledgeError(e) for whatever stopped it (a refusal for a forgery, a retry when
// it was not booked). Which answer an error gets is the core's rule; nothing here decides it.
// No adapter imports its framework: each works on the objects the framework hands it.
//
// An ES module, shipped like the modules of api/ (scripts/build-wasm.sh): as written
// (frameworks.web.mjs, beside api/errors.mjs) and as CommonJS (frameworks.cjs, beside
// api/errors.cjs; Node's `import` gets its exports): its PaysignError is the one of the
// entry point the same runtime loads, so acknowledgeError recognises the BODY_TOO_LARGE
// error made here.
import { PaysignError } from './api/errors.mjs';

/**
 * Bodies longer than this are refused (`BODY_TOO_LARGE`) without being read further; the
 * verifier refuses anything above its own limit (1 MiB) anyway. The same bound as
 * paysign-axum's MAX_BODY_BYTES.
 */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

const ADAPTER_OPTIONS = ['now', 'onError'];

// What an endpoint that cannot judge the notification answers — misconfigured (a body read
// before it) or broken — when no framework answers for it: a 500, so that the platform
// retries once it is fixed. The details go to onError, not to whoever posted.
const ENDPOINT_ERROR = Object.freeze({
  status: 500,
  contentType: 'text/plain; charset=utf-8',
  body: 'notification endpoint error; see the server log\n',
});

const utf8 = new TextEncoder();

// Without an onError option, what stopped a notification goes to the console: a refusal
// or a failed booking that nobody hears of is a support case later.
function logError(error, notification) {
  const id = notification === undefined ? '' : ` ${notification.notifyId}`;
  const what = error?.booked === true ? 'booked but not recorded as booked' : 'not booked';
  const code = typeof error?.code === 'string' ? ` (${error.code})` : '';
  console.error(`paysign: notification${id} ${what}${code}: ${error?.message ?? error}`);
}

/** The checked arguments every adapter takes: `(verifier, book, options?)`. */
function settingsOf(verifier, book, options, what) {
  const usage = `${what}(verifier, book, options?)`;
  if (verifier === null || typeof verifier !== 'object' || typeof verifier.handle !== 'function' || typeof verifier.acknowledgeError !== 'function') {
    throw new TypeError(`${usage}: verifier must be a NotificationVerifier (new NotificationVerifier({ publicKey, appId }))`);
  }
  if (typeof book !== 'function') {
    throw new TypeError(`${usage}: book must be a function (notification) => void | Promise<void> that books a new notification (throwing means: not booked)`);
  }
  const opts = options === undefined ? {} : options;
  if (opts === null || typeof opts !== 'object') throw new TypeError(`${usage}: options must be an object { now?, onError? }`);
  const unknown = Object.keys(opts).filter((k) => !ADAPTER_OPTIONS.includes(k));
  if (unknown.length > 0) throw new TypeError(`${usage}: unknown option ${unknown.join(', ')} (the options are ${ADAPTER_OPTIONS.join(' and ')})`);
  if (opts.now !== undefined && typeof opts.now !== 'function') {
    throw new TypeError(`${usage}: options.now must be a clock, a function returning Unix seconds (e.g. () => 1795190410 in a test)`);
  }
  if (opts.onError !== undefined && typeof opts.onError !== 'function') {
    throw new TypeError(`${usage}: options.onError must be a function (error, notification?) => void`);
  }
  return { verifier, book, now: opts.now, onError: opts.onError ?? logError };
}

function report(settings, error, notification) {
  try {
    settings.onError(error, notification);
  } catch (_) {
    // A failing logger must not keep the platform from its answer.
  }
}

function tooLarge() {
  return new PaysignError(`the body is longer than ${MAX_BODY_BYTES} bytes, the most a notification endpoint reads`, 'BODY_TOO_LARGE');
}

function concat(chunks, size) {
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

/**
 * What stopped the notification in `body` (bytes, or a promise of them), after the
 * verifier's `handle` ran `book` unless it was a duplicate; null when it is booked.
 */
async function failureOf(settings, body, headers) {
  let notification;
  try {
    const bytes = await body;
    const now = settings.now === undefined ? undefined : settings.now();
    await settings.verifier.handle(bytes, { headers, now }, (n) => {
      notification = n;
      return settings.book(n);
    });
    return null;
  } catch (error) {
    report(settings, error, notification ?? error?.notification);
    return error;
  }
}

/** The acknowledgement `{ status, contentType, body }` for a notification body. */
async function acknowledgementOf(settings, body, headers) {
  const error = await failureOf(settings, body, headers);
  return error === null ? settings.verifier.acknowledge(true) : settings.verifier.acknowledgeError(error);
}

// ---- node:http requests (plain node:http, Express, Koa) ---------------------------------

/**
 * The body of a node:http request stream, at most MAX_BODY_BYTES: past that the promise
 * rejects with BODY_TOO_LARGE and the rest is discarded as it arrives, never kept.
 */
function readStream(stream) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    const settle = (outcome, value) => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
      outcome(value);
    };
    function onData(chunk) {
      if (typeof chunk === 'string') {
        settle(reject, new TypeError('the request stream was given a text encoding (setEncoding): a signature covers bytes, read it as they came'));
        stream.resume();
        return;
      }
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        settle(reject, tooLarge());
        stream.resume();
        return;
      }
      chunks.push(chunk);
    }
    const onEnd = () => settle(resolve, concat(chunks, size));
    const onError = (e) => settle(reject, e);
    const onClose = () => settle(reject, new Error('the request was closed before its body ended'));
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}

/**
 * Where the raw body of a node:http request is, when a framework may have run body parsers
 * before the endpoint: unread in the stream (read here), or kept as bytes by a raw parser
 * (`express.raw`). Null when a parser consumed it into something else: that has lost the
 * bytes the signature covers, and verifying it re-serialised would be guesswork.
 */
function rawBodyOf(req, parsed) {
  if (!req.readableDidRead && !req.readableEnded) return readStream(req);
  if (parsed instanceof Uint8Array) return parsed.length > MAX_BODY_BYTES ? Promise.reject(tooLarge()) : parsed;
  return null;
}

/** The error for a body that a parser upstream consumed (rawBodyOf gave null). */
function consumedBody(parsed, advice) {
  const got = parsed === undefined ? 'its stream was consumed' : `the parsed body is ${typeof parsed === 'string' ? 'a string' : 'an object'}`;
  return new TypeError(`paysign: the notification's body was read before the endpoint (${got}), and a signature covers the exact bytes received. ${advice}`);
}

function send(res, ack) {
  const body = utf8.encode(ack.body);
  res.writeHead(ack.status, { 'content-type': ack.contentType, 'content-length': body.length });
  res.end(body);
}

/**
 * A handler for a plain node:http server: `(req, res) => Promise<void>`, which never
 * rejects (node:http has nobody to catch it). It reads the body itself; route to it
 * yourself (method and path).
 */
export function nodeHandler(verifier, book, options) {
  const settings = settingsOf(verifier, book, options, 'nodeHandler');
  // What node:http's handler answers when it cannot judge the notification (see ENDPOINT_ERROR).
  const endpointError = (res, error) => {
    report(settings, error);
    if (!res.headersSent) send(res, ENDPOINT_ERROR);
  };
  return async function paysignNotifications(req, res) {
    try {
      const body = rawBodyOf(req, undefined);
      if (body === null) {
        endpointError(res, consumedBody(undefined, 'Hand nodeHandler the request untouched: it reads the body itself.'));
        return;
      }
      send(res, await acknowledgementOf(settings, body, req.headers));
    } catch (e) {
      endpointError(res, e);
    }
  };
}

const EXPRESS_ADVICE =
  "Mount the notification route before express.json() and express.urlencoded() (paysign's express() reads the body itself), or give it the raw bytes with express.raw({ type: '*/*' }): express.raw()'s default type, application/octet-stream, misses form and JSON notifications.";

/**
 * An Express route handler: `app.post('/paysign/notify', express(verifier, book))`. It
 * reads the body itself when no body parser ran before it (or takes express.raw's bytes);
 * after a parsing one it passes a TypeError to `next` (a 500: the platform retries once the
 * route is fixed), never a verdict on a re-serialised body.
 */
export function express(verifier, book, options) {
  const settings = settingsOf(verifier, book, options, 'express');
  return async function paysignNotifications(req, res, next) {
    const body = rawBodyOf(req, req.body);
    if (body === null) {
      next(consumedBody(req.body, EXPRESS_ADVICE));
      return;
    }
    send(res, await acknowledgementOf(settings, body, req.headers));
  };
}

const KOA_ADVICE =
  'Mount the notification route before koa-bodyparser, @koa/bodyparser or koa-body, or skip them for it: koa() reads ctx.req itself.';

/**
 * A Koa middleware that answers the notification (it does not call `next`): mount it on the
 * notification route. It reads the body from `ctx.req`; after a body parser it throws a
 * TypeError (Koa answers 500 and emits 'error').
 */
export function koa(verifier, book, options) {
  const settings = settingsOf(verifier, book, options, 'koa');
  return async function paysignNotifications(ctx) {
    const body = rawBodyOf(ctx.req, ctx.request.body);
    if (body === null) throw consumedBody(ctx.request.body, KOA_ADVICE);
    const ack = await acknowledgementOf(settings, body, ctx.req.headers);
    ctx.status = ack.status;
    ctx.body = ack.body;
    // Set as is, after the body: ctx.type would add a charset, and a string body sets a type.
    ctx.set('Content-Type', ack.contentType);
  };
}

// ---- Fastify ----------------------------------------------------------------------------

/**
 * A Fastify plugin that serves the notification route at its prefix:
 * `app.register(fastify(verifier, book), { prefix: '/paysign/notify' })`. Inside the
 * plugin's own scope (Fastify encapsulates it, the application's parsers are untouched)
 * every content type is read as a Buffer of at most MAX_BODY_BYTES.
 */
export function fastify(verifier, book, options) {
  const settings = settingsOf(verifier, book, options, 'fastify');
  return async function paysignNotifications(instance) {
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => done(null, body));
    // Fastify's own refusal of a long body, given the platform's answer for it.
    instance.setErrorHandler(async (error, request, reply) => {
      if (error?.code !== 'FST_ERR_CTP_BODY_TOO_LARGE') throw error;
      return answerFastify(reply, await acknowledgementOf(settings, Promise.reject(tooLarge()), request.headers));
    });
    instance.post('/', { bodyLimit: MAX_BODY_BYTES }, async (request, reply) => {
      // A POST without a body (and so without a parser's Buffer) is refused by the verifier.
      return answerFastify(reply, await acknowledgementOf(settings, request.body ?? new Uint8Array(0), request.headers));
    });
  };
}

// The body as bytes: Fastify sends those as they are, where it would add a charset to the
// content type of a JSON string.
function answerFastify(reply, ack) {
  return reply.code(ack.status).type(ack.contentType).send(utf8.encode(ack.body));
}

// ---- fetch runtimes ---------------------------------------------------------------------

/** The body of a fetch Request, at most MAX_BODY_BYTES (past that BODY_TOO_LARGE, unread). */
async function readRequest(request) {
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return concat(chunks, size);
    size += value.length;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
}

/**
 * A fetch handler, `(request) => Promise<Response>`: a Next.js App Router route handler
 * (`export const POST = fetchHandler(verifier, book)`), Hono (`(c) => handle(c.req.raw)`),
 * a Worker's, Deno's or Bun's `fetch`.
 */
export function fetchHandler(verifier, book, options) {
  const settings = settingsOf(verifier, book, options, 'fetchHandler');
  return async function paysignNotifications(request) {
    if (request === null || typeof request !== 'object' || !('body' in request) || typeof request.headers?.get !== 'function') {
      throw new TypeError('fetchHandler: call the handler with a fetch Request (Hono: c.req.raw, not c)');
    }
    if (request.bodyUsed) {
      report(settings, consumedBody(undefined, 'Hand the handler the Request untouched (Hono: c.req.raw, before any c.req.json() or parseBody()).'));
      return new Response(ENDPOINT_ERROR.body, { status: ENDPOINT_ERROR.status, headers: { 'content-type': ENDPOINT_ERROR.contentType } });
    }
    const error = await failureOf(settings, readRequest(request), request.headers);
    return error === null ? verifier.acknowledgeResponse(true) : verifier.acknowledgeErrorResponse(error);
  };
}
