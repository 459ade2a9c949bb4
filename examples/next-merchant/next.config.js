import { fileURLToPath } from 'node:url';

export default {
  // paysign reads its WebAssembly module from its own folder at run time: Next.js leaves the
  // package to Node's require instead of bundling it into the route.
  serverExternalPackages: ['paysign'],
  // The route imports ../shared/merchant.mjs, the setup every example shares: the root is
  // the repository.
  turbopack: { root: fileURLToPath(new URL('../..', import.meta.url)) },
  // `next dev` would otherwise write AGENTS.md files into the example.
  agentRules: false,
  experimental: { agentUpgrade: false },
};
