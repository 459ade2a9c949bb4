// Compile-only check of paysign/frameworks's typings against the frameworks' own types
// (tsc --noEmit --strict, tsconfig.frameworks.json: Node's types, which they need, and
// skipLibCheck): each adapter mounts where its framework takes a handler, as the examples
// and docs/frameworks.md do. types.ts checks frameworks.d.ts itself. Never run.
import http from 'node:http';

import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import { NextRequest } from 'next/server';
import { NotificationVerifier } from 'paysign';
import type { Notification } from 'paysign';
import * as paysign from 'paysign/frameworks';

export async function mounted(verifier: NotificationVerifier): Promise<void> {
  const book = async (n: Notification): Promise<void> => {
    console.log(n.outTradeNo, n.totalAmount);
  };
  const onError = (error: unknown, notification?: Notification): void => console.error(notification?.notifyId, error);

  const app = express();
  app.post('/paysign/notify', paysign.express(verifier, book, { onError }));
  app.use(express.json());

  const fastify = Fastify();
  await fastify.register(paysign.fastify(verifier, book), { prefix: '/paysign/notify' });

  const koa = new Koa();
  const notifyKoa = paysign.koa(verifier, book);
  koa.use((ctx, next) => (ctx.path === '/paysign/notify' ? notifyKoa(ctx) : next()));

  const hono = new Hono();
  const notifyFetch = paysign.fetchHandler(verifier, book, { now: () => Date.now() / 1000 });
  hono.post('/paysign/notify', (c) => notifyFetch(c.req.raw));

  // A Next.js App Router route handler: `export const POST = fetchHandler(...)`.
  const POST = paysign.fetchHandler(verifier, book);
  const answer: Response = await POST(new NextRequest('http://localhost/paysign/notify', { method: 'POST', body: 'a=1' }));

  http.createServer(paysign.nodeHandler(verifier, book));
  console.log(answer.status);
}
