// The real mock gateway (`paysign gateway`, the binary `cargo build -p paysign-cli` builds)
// for the Node and browser suites: started on 127.0.0.1:0 with a manual clock and an admin
// token of its own (random per start, handed over in $PAYSIGN_GATEWAY_ADMIN_TOKEN, never on
// a command line), and a client of its admin API that sends that token.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

import { root } from './vectors.mjs';

export const binary = path.join(process.env.CARGO_TARGET_DIR ?? path.join(root, 'target'), 'debug', 'paysign');

/**
 * Starts `paysign gateway --port 0 --clock manual --clock-start START ...args` and resolves
 * once it prints its address: `{ child, base, token, admin(method, route, body), stop() }`.
 * `admin` answers the JSON of a 2xx answer and fails the test on any other.
 */
export function startGateway({ start, args = [] }) {
  assert.ok(fs.existsSync(binary), `${binary} is missing: build it with cargo build -p paysign-cli (make test does)`);
  const token = crypto.randomBytes(24).toString('base64url');
  const child = spawn(binary, [
    'gateway', '--port', '0', '--clock', 'manual', '--clock-start', String(start), ...args,
  ], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PAYSIGN_GATEWAY_ADMIN_TOKEN: token } });
  let log = '';
  child.stderr.on('data', (chunk) => { log += chunk; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the gateway did not start within 20 s')), 20000);
    child.once('exit', (code) => reject(new Error(`the gateway exited early (${code}): ${log}`)));
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /listening on (http:\/\/[0-9.:]+)/.exec(line);
      if (!match) return;
      clearTimeout(timer);
      const base = match[1];
      const admin = async (method, route, body) => {
        const response = await fetch(`${base}/admin/${route}`, {
          method,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await response.text();
        const json = text === '' ? null : JSON.parse(text);
        assert.ok(response.ok, `${method} /admin/${route}: ${response.status} ${text}`);
        return json;
      };
      const stop = () => new Promise((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      });
      resolve({ child, base, token, admin, stop, log: () => log, startupLine: line });
    });
  });
}
