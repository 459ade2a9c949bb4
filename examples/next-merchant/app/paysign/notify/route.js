// Run with: make wasm && npm ci && node examples/next-merchant/dev.mjs
//           (then POST a notification to http://localhost:3000/paysign/notify; in your own
//           project: next dev)
//
// A merchant's notification endpoint as a Next.js App Router route handler. Next.js hands
// the handler a fetch Request whose body nobody has read: paysign's `fetchHandler` reads the
// raw bytes (never `request.json()` or `formData()` first: the signature covers the exact
// bytes), verifies, books once and answers. Node.js runtime (the default): the verifier and
// its replay store live as long as the server process. Environment:
// examples/shared/merchant.mjs.
import { fetchHandler } from 'paysign/frameworks';
import { merchantFromEnv } from '../../../../shared/merchant.mjs';

const { verifier, book, now } = await merchantFromEnv();

export const POST = fetchHandler(verifier, book, { now });
