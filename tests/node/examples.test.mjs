// The runnable examples keep running: examples/node-channel prints a signed form body that
// verifies (checked here independently), and examples/web is driven by tests/browser/.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { describe, it } from 'node:test';

import { canonicalize } from 'paysign';
import { merchantPublicPem, root } from './vectors.mjs';

describe('examples/node-channel', () => {
  it('prints a signed order.create form body that verifies with node:crypto', () => {
    const out = execFileSync(process.execPath, [path.join(root, 'examples/node-channel/sign-order.mjs')], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const lines = out.split('\n');
    assert.match(lines[0], /^POST /);
    const form = new URLSearchParams(lines[1]);
    assert.equal(form.get('method'), 'order.create');
    assert.equal(form.get('sign_type'), 'RSA2');
    const canonical = canonicalize(form);
    assert.ok(lines.includes(`canonical string signed: ${canonical}`));
    const ok = crypto.verify('sha256', Buffer.from(canonical), crypto.createPublicKey(merchantPublicPem), Buffer.from(form.get('sign'), 'base64'));
    assert.ok(ok, 'the signature verifies');
    assert.match(out, /centre verifies: \{ valid: true, signType: 'RSA2' \}/);
  });
});
