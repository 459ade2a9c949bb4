// Run with: make wasm && npm ci && node examples/express-merchant/server.mjs
//           (then POST a notification to the printed URL, e.g. with `paysign notify`)
//
// A merchant's notification endpoint in an Express 5 application that parses JSON and forms
// for its other routes. The notification route comes first: paysign's `express()` handler
// reads the raw body itself (the signature covers the exact bytes), which a parser mounted
// before it would have consumed. Environment: examples/shared/merchant.mjs.
import express from 'express';
import { fileURLToPath } from 'node:url';

import { express as notifications } from 'paysign/frameworks';
import { runExample } from '../shared/merchant.mjs';

/** The application: the notification route, then the body parsers and routes of the rest. */
export function createApp({ verifier, book, now, onError }) {
  const app = express();
  app.post('/paysign/notify', notifications(verifier, book, { now, onError }));
  // Everything after this line gets parsed bodies, as usual.
  app.use(express.json(), express.urlencoded());
  app.post('/orders/:id/note', (req, res) => res.json({ order: req.params.id, note: req.body.note ?? null }));
  return app;
}

/** Starts the application; resolves to `{ url, close() }` (url: the notification endpoint). */
export function startServer({ port = 0, host = '127.0.0.1', verifier, book, now, onError }) {
  return new Promise((resolve, reject) => {
    const server = createApp({ verifier, book, now, onError }).listen(port, host, (error) => {
      if (error) return reject(error);
      resolve({
        url: `http://${host}:${server.address().port}/paysign/notify`,
        close: () => new Promise((done) => server.close(done)),
      });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runExample(startServer, 'Express');
