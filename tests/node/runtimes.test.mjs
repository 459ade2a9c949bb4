// The runtime matrix: the notification suite of tests/runtimes/suite.mjs in every runtime the
// package is for, each loading `paysign` as its users do —
//   node-cjs  require('paysign')                      tests/runtimes/host-node.cjs
//   node-esm  import from 'paysign'                   tests/runtimes/host-module.mjs
//   bun       the same module, in Bun                 (devDependency `bun`)
//   deno      paysign/web + `import source` of the wasm, no permission flag
//                                                     tests/runtimes/host-deno.mjs (`deno`)
//   workerd   a Worker module (paysign/web, the .wasm imported), in miniflare
//                                                     tests/runtimes/worker.mjs (`miniflare`)
//   chromium  a page with an import map, `await init()` fetching the wasm by URL
//                                                     tests/runtimes/page.html (Debian's chromium)
// and prints one line per runtime, `<runtime>: N passed, M failed`. A runtime that is missing
// or crashes fails its row, naming the install step; none is skipped. A runtime that writes
// anything on stderr (a warning) fails too.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';

import * as paysign from 'paysign';

import { startServer } from '../../examples/web/serve.mjs';
import { launchChromium } from '../browser/chromium.mjs';
import { plan, report, runSuite, toPortable } from '../runtimes/suite.mjs';
import { workerModules } from '../runtimes/worker-modules.mjs';
import { notifyCases, root, signCases, signerOptions, verifierOptions } from './vectors.mjs';

const runtimesDir = path.join(root, 'tests/runtimes');
const pkgDir = path.join(root, 'sdk-wasm/pkg');
const bin = (name) => path.join(root, 'node_modules/.bin', name);

/**
 * What the suite checks: every notification vector — the 国密 ones too, through the SM
 * module each host loads as its users would —, and one RSA2 and one HMAC-SHA256 request vector.
 */
function suiteCases() {
  const notification = ({ name, body, options, call, expect }) => ({ name, body, options, call, expect });
  const notifications = (failing) => [...notifyCases({ failing }), ...notifyCases({ failing, sm: true })].map(notification);
  const signing = signCases()
    .filter((c) => c.name === 'sign_paysign_rsa2_request' || c.name === 'sign_paysign_hmac_request')
    .map((c) => ({ name: c.name, signType: c.signType, pairs: c.pairs, signature: c.signature, signer: signerOptions(c), verifier: verifierOptions(c) }));
  assert.equal(signing.length, 2);
  const sm = notifyCases({ failing: false, sm: true }).length;
  assert.ok(sm >= 6, `the SM vectors are in the matrix (${sm})`);
  return { valid: notifications(false), failing: notifications(true), signing };
}

const cases = suiteCases();
const input = toPortable(cases);
const planned = plan(cases).length;
const matrix = [];

/** Checks a runtime's counts (`text`: its report), and adds its row to the matrix. */
function record(runtime, { passed, failed }, text) {
  matrix.push(`${runtime}: ${passed} passed, ${failed} failed`);
  assert.equal(failed, 0, `${runtime}:\n${text}`);
  assert.equal(passed, planned, `${runtime} ran ${passed} of the ${planned} checks`);
}

/** A suite result from inside the runtime (workerd, chromium), checked and recorded. */
const recordResult = (runtime, result) => record(runtime, result, report(result));

/** Runs a host script (`runHost`) and records its row. */
async function runHostScript(runtime, command, args, install) {
  const { passed, failed, text } = await runHost(runtime, command, args, install);
  record(runtime, { passed, failed }, text);
}

/**
 * Runs a host script: the vectors as JSON on stdin, the report on stdout. Resolves to the
 * suite's counts and the report; rejects, naming `install`, when the runtime is missing or
 * dies without a report.
 */
function runHost(runtime, command, args, install) {
  assert.ok(fs.existsSync(command), `${runtime}: no ${command}; ${install}`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 120_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => void (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => void (stderr += d));
    child.on('error', (e) => reject(new Error(`${runtime}: ${command} did not start (${e.message}); ${install}`)));
    child.on('close', (code, signal) => {
      const counts = /^(\d+) passed, (\d+) failed$/m.exec(stdout.trimEnd().split('\n').at(-1) ?? '');
      if (counts === null) {
        reject(new Error(`${runtime}: ended (exit ${code}, signal ${signal}) without a report; ${install}\nstdout: ${stdout}\nstderr: ${stderr}`));
        return;
      }
      const [passed, failed] = [Number(counts[1]), Number(counts[2])];
      if (stderr !== '') {
        reject(new Error(`${runtime}: wrote on stderr (a runtime must load the package without a warning):\n${stderr}`));
        return;
      }
      if ((code === 0) !== (failed === 0)) {
        reject(new Error(`${runtime}: exit ${code} with ${failed} failed`));
        return;
      }
      resolve({ passed, failed, text: stdout });
    });
    // A runtime that dies before reading its input closes the pipe (EPIPE): its exit,
    // reported above, says more than the write error.
    child.stdin.on('error', () => {});
    child.stdin.end(JSON.stringify(input));
  });
}

describe('runtime matrix: the notification suite in every runtime', () => {
  after(() => {
    // One block, in the runtimes' order, whatever order the rows finished in.
    const order = ['node-cjs', 'node-esm', 'bun', 'deno', 'workerd', 'chromium'];
    matrix.sort((a, b) => order.indexOf(a.split(':')[0]) - order.indexOf(b.split(':')[0]));
    console.log(['runtime matrix:', ...matrix.map((row) => `  ${row}`)].join('\n'));
  });

  it('the suite fails on a wrong expectation, and names the check', async () => {
    const wrong = structuredClone(cases);
    wrong.failing[0].expect.code = 'NOT_THE_CODE';
    const result = await runSuite(paysign, toPortable(wrong));
    assert.equal(result.failed, 2, report(result));
    assert.equal(result.passed, planned - 2);
    assert.match(report(result), new RegExp(`^FAIL ${wrong.failing[0].name}: verify refuses it with NOT_THE_CODE`, 'm'));
    assert.match(report(result), new RegExp(`\\n${planned - 2} passed, 2 failed$`));
  });

  it('node-cjs: require("paysign")', async () => {
    await runHostScript('node-cjs', process.execPath, [path.join(runtimesDir, 'host-node.cjs')], 'Node.js runs the test itself');
  });

  it('node-esm: import from "paysign"', async () => {
    await runHostScript('node-esm', process.execPath, [path.join(runtimesDir, 'host-module.mjs')], 'Node.js runs the test itself');
  });

  it('bun: import from "paysign"', async () => {
    const install = 'run npm ci (devDependency `bun`: its postinstall links the binary of @oven/bun-linux-x64 into node_modules/.bin)';
    await runHostScript('bun', bin('bun'), [path.join(runtimesDir, 'host-module.mjs')], install);
  });

  it('deno: paysign/web with the wasm imported as a module source, no permission flags', async () => {
    const install = 'run npm ci (devDependency `deno`: its postinstall links the binary of @deno/linux-x64-glibc into node_modules/.bin)';
    // No --allow-*: the package must not need a permission when the wasm is imported.
    // --no-lock: no deno.lock written into the repository.
    await runHostScript('deno', bin('deno'), ['run', '--no-lock', path.join(runtimesDir, 'host-deno.mjs')], install);
  });

  it('deno, import from "paysign": the Node build, which needs --allow-read and no other flag (sdk-wasm/README.md)', async () => {
    const install = 'run npm ci (devDependency `deno`)';
    const host = path.join(runtimesDir, 'host-module.mjs');
    const { passed, failed, text } = await runHost('deno', bin('deno'), ['run', '--no-lock', '--allow-read', host], install);
    assert.equal(failed, 0, text);
    assert.equal(passed, planned);
    // Without it, Deno refuses the read of the package's wasm file, and says which flag to add.
    await assert.rejects(runHost('deno', bin('deno'), ['run', '--no-lock', host], install), /NotCapable: Requires read access .*--allow-read/);
  });

  it('workerd: a Worker module in miniflare, paysign/web and the imported .wasm', async () => {
    const install = 'run npm ci (devDependency `miniflare`, whose dependency `workerd` ships the binary in @cloudflare/workerd-linux-64)';
    const { Miniflare } = await import('miniflare').catch((e) => assert.fail(`workerd: miniflare does not load (${e.message}); ${install}`));
    const worker = new Miniflare({
      modulesRoot: runtimesDir,
      modules: workerModules(path.join(runtimesDir, 'worker.mjs'), { modulesRoot: runtimesDir, pkgDir }),
      // No later than the workerd of the pinned miniflare supports.
      compatibilityDate: '2026-04-01',
      host: '127.0.0.1',
      port: 0,
    });
    try {
      const response = await worker.dispatchFetch('http://127.0.0.1/', { method: 'POST', body: JSON.stringify(input) });
      assert.equal(response.status, 200, `workerd: ${await response.clone().text()}`);
      recordResult('workerd', await response.json());
    } catch (e) {
      if (e.code === 'ERR_RUNTIME_FAILURE') assert.fail(`workerd: the Workers runtime failed to start (${e.message}); ${install}`);
      throw e;
    } finally {
      await worker.dispose();
    }
  });

  it('chromium: a page importing paysign/web through an import map', async () => {
    const server = await startServer({ port: 0, served: ['/tests/runtimes/', '/sdk-wasm/pkg/'] });
    let browser;
    try {
      browser = await launchChromium();
      const page = await browser.newPage();
      const problems = [];
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
      });
      await page.goto(`${server.origin}/tests/runtimes/page.html`);
      await page.waitForFunction(() => document.body.dataset.ready !== undefined, null, { timeout: 60_000 });
      assert.equal(await page.evaluate(() => document.body.dataset.ready), 'true', await page.textContent('body'));
      recordResult('chromium', await page.evaluate((portable) => window.runPaysignSuite(portable), input));
      assert.deepEqual(problems, []);
    } finally {
      await browser?.close();
      await server.close();
    }
  });
});
