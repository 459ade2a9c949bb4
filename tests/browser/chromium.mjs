// Headless Chromium for the suites that run in a browser (tests/browser/browser.test.mjs,
// the chromium row of tests/node/runtimes.test.mjs): playwright-core drives Debian's
// /usr/bin/chromium (scripts/setup.sh installs it), or the binary PAYSIGN_CHROMIUM names.
// playwright-core downloads no browser of its own.
import assert from 'node:assert/strict';
import fs from 'node:fs';

import { chromium } from 'playwright-core';

export const executablePath = process.env.PAYSIGN_CHROMIUM ?? '/usr/bin/chromium';

/** A headless Chromium; fails, naming the install step, when there is none. */
export function launchChromium() {
  assert.ok(fs.existsSync(executablePath), `no Chromium at ${executablePath}: scripts/setup.sh installs it (apt-get install chromium), or set PAYSIGN_CHROMIUM`);
  return chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
