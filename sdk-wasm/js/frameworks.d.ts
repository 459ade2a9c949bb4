// Typings of `paysign/frameworks` (sdk-wasm/js/frameworks.mjs): a notification endpoint on
// Express, Fastify, Koa, fetch runtimes and plain node:http (docs/frameworks.md). The
// framework objects are described by what the adapters use, so that the typings need no
// framework's types and accept each framework's own.
import type { Notification, NotificationVerifier } from 'paysign';

/**
 * The most a notification endpoint reads, in bytes (2 MiB): a longer body is refused
 * (`BODY_TOO_LARGE`) without being read further.
 */
export declare const MAX_BODY_BYTES: number;

/**
 * Books a verified notification that was not booked before: may be async; throwing (or
 * rejecting) means "not booked", and the platform is asked to retry. Never called for a
 * forged, refused, duplicate or in-progress copy.
 */
export type Book = (notification: Notification) => void | Promise<void>;

/** The options every adapter takes. */
export interface AdapterOptions {
  /** The clock notifications are checked at, in Unix seconds (default the system clock). */
  now?: () => number;
  /**
   * Told what stopped a notification: a refusal (a `PaysignError`: its `code`), a copy in
   * progress, the replay store, the booking's own error, or (`error.booked === true`) a
   * booking the store did not record; `notification` when it was verified. Default: one
   * line on `console.error`.
   */
  onError?: (error: unknown, notification?: Notification) => void;
}

/** node:http's `IncomingMessage` (Express's and Koa's requests are one), as the adapters read it. */
export interface NodeRequestLike {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Whether something read the body already (a body parser). */
  readonly readableDidRead: boolean;
  readonly readableEnded: boolean;
  on(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
  resume(): unknown;
}

/** node:http's `ServerResponse`, as the adapters answer on it. */
export interface NodeResponseLike {
  writeHead(status: number, headers: Record<string, string | number>): unknown;
  end(body: Uint8Array): unknown;
}

/** A Koa context, as the adapter reads and answers it. */
export interface KoaContextLike {
  readonly req: NodeRequestLike;
  /** Koa's request; a body parser before the adapter would have set its `body`. */
  readonly request: object;
  status: number;
  body: unknown;
  set(field: string, value: string): unknown;
}

/**
 * A Fastify instance, as the plugin configures its own scope. The methods are Fastify's;
 * their generic signatures are Fastify's own business.
 */
export interface FastifyInstanceLike {
  removeAllContentTypeParsers(): unknown;
  addContentTypeParser(...args: never[]): unknown;
  setErrorHandler(...args: never[]): unknown;
  post(...args: never[]): unknown;
}

/**
 * An Express route handler: `app.post('/paysign/notify', express(verifier, book))`. Mount it
 * before `express.json()` / `express.urlencoded()` (it reads the body itself), or behind
 * `express.raw()` given every type (`type: () => true`); after a parsing body parser it passes a
 * TypeError to `next` instead of verifying a re-serialised body.
 */
export declare function express(
  verifier: NotificationVerifier,
  book: Book,
  options?: AdapterOptions,
): (req: NodeRequestLike & { readonly body?: unknown }, res: NodeResponseLike, next: (error?: unknown) => void) => Promise<void>;

/**
 * A Fastify plugin serving the notification route at its prefix:
 * `app.register(fastify(verifier, book), { prefix: '/paysign/notify' })`. Every content type
 * is read as bytes inside the plugin's scope only.
 */
export declare function fastify(verifier: NotificationVerifier, book: Book, options?: AdapterOptions): (instance: FastifyInstanceLike) => Promise<void>;

/**
 * A Koa middleware that answers the notification (it does not call `next`): mount it on
 * the notification route, before any body parser.
 */
export declare function koa(verifier: NotificationVerifier, book: Book, options?: AdapterOptions): (ctx: KoaContextLike) => Promise<void>;

/**
 * A fetch handler: a Next.js App Router route handler (`export const POST =
 * fetchHandler(verifier, book)`), Hono (`app.post(path, (c) => handle(c.req.raw))`), a
 * Cloudflare Worker's, Deno's or Bun's `fetch`.
 */
export declare function fetchHandler(verifier: NotificationVerifier, book: Book, options?: AdapterOptions): (request: Request) => Promise<Response>;

/** A plain node:http handler, `(req, res) => Promise<void>`: route to it yourself. */
export declare function nodeHandler(verifier: NotificationVerifier, book: Book, options?: AdapterOptions): (req: NodeRequestLike, res: NodeResponseLike) => Promise<void>;
