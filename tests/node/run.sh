#!/usr/bin/env bash
# Runs every JavaScript suite of the `paysign` npm package: node --test over tests/node/
# (the unit tests of each module of sdk-wasm/js/api/ in tests/node/api/, vectors, API,
# interop, require/import, npm install, typings, the framework adapters on
# Express, Fastify, Koa, Hono and Next.js, the runtime matrix: the notification suite in
# Node CJS/ESM, Bun, Deno, workerd and Chromium) and tests/browser/ (headless Chromium).
# Also `npm test`.
#
# Run with: make wasm && npm ci && bash tests/node/run.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

if [ ! -f sdk-wasm/pkg/package.json ]; then
  echo "tests/node/run.sh: sdk-wasm/pkg/ is missing; build it first with: make wasm" >&2
  exit 1
fi
# npm ci installs the dev tools and links node_modules/paysign to sdk-wasm/pkg (the root
# package.json depends on "file:sdk-wasm/pkg"), so suites and examples import 'paysign'.
# bun and deno are binaries their packages' postinstall links into node_modules/.bin.
if [ ! -d node_modules/typescript ] || [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/next ] || [ ! -e node_modules/paysign ] \
  || [ ! -x node_modules/.bin/bun ] || [ ! -x node_modules/.bin/deno ] || [ ! -d node_modules/miniflare ]; then
  echo "tests/node/run.sh: dev dependencies are missing; install them with: npm ci" >&2
  exit 1
fi

exec node --test --test-reporter=spec \
  tests/node/api/*.test.mjs tests/node/*.test.mjs tests/node/*.test.cjs tests/browser/*.test.mjs
