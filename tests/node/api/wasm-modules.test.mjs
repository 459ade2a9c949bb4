// sdk-wasm/js/api/wasm-modules.mjs: the runtime, signing and tools modules of an entry point —
// readiness, what comes out of a call, and a trap ending a module (and only what depends
// on it) — over fake bindings.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { PaysignError } from '../../../sdk-wasm/js/api/errors.mjs';
import { WasmModule, wasmModules } from '../../../sdk-wasm/js/api/wasm-modules.mjs';

function fakeBindings(panic = 'panicked at sdk-core/src/x.rs:1:1: boom') {
  return { takePanicMessage: () => panic, work: () => 42 };
}

function platform({ ready = true, tools = fakeBindings('tools panicked'), signing = fakeBindings('signing panicked') } = {}) {
  const state = { ready, toolsLoads: 0, signingLoads: 0 };
  return Object.assign(state, {
    isReady: () => state.ready,
    tools: () => {
      state.toolsLoads++;
      return tools;
    },
    signing: () => {
      state.signingLoads++;
      return signing;
    },
  });
}

const trap = () => {
  throw new WebAssembly.RuntimeError('unreachable');
};

describe('wasmModules: the modules of one entry point', () => {
  it('the runtime module refuses work until the entry point is initialised', () => {
    const wasm = fakeBindings();
    const p = platform({ ready: false });
    const { runtime } = wasmModules(wasm, p);
    assert.throws(() => runtime.bindings(), { message: 'paysign is not initialised: `await init()` (or call initSync()) before using it' });
    p.ready = true;
    assert.equal(runtime.bindings(), wasm);
  });

  it('the tools module is loaded on first use, and only beside a usable runtime', () => {
    const p = platform({ ready: false });
    const { tools } = wasmModules(fakeBindings(), p);
    assert.throws(() => tools.bindings(), /not initialised/);
    assert.equal(p.toolsLoads, 0);
    p.ready = true;
    assert.equal(tools.bindings().work(), 42);
    assert.equal(p.toolsLoads, 1);
  });

  it('a trap in the runtime ends both modules, with the panic message', () => {
    const { runtime, tools } = wasmModules(fakeBindings(), platform());
    const error = runtime.error(new WebAssembly.RuntimeError('unreachable'));
    assert.equal(error.message, 'paysign internal error (a bug, please report it): panicked at sdk-core/src/x.rs:1:1: boom; reload the module');
    assert.ok(error.cause instanceof WebAssembly.RuntimeError);
    assert.throws(() => runtime.bindings(), (e) => e === error);
    assert.throws(() => runtime.alive(), (e) => e === error);
    assert.throws(() => tools.bindings(), (e) => e === error);
  });

  it('the signing module is loaded on first use, and a trap in it ends it alone; a trap in the runtime ends it too', () => {
    const p = platform();
    const { runtime, signing } = wasmModules(fakeBindings(), p);
    assert.equal(p.signingLoads, 0);
    assert.equal(signing.call(() => signing.bindings().work()), 42);
    const error = signing.attempt(trap).error;
    assert.match(error.message, /signing panicked/);
    assert.throws(() => signing.bindings(), (e) => e === error);
    assert.equal(runtime.call(() => runtime.bindings().work()), 42);
    const other = wasmModules(fakeBindings(), platform());
    const runtimeTrap = other.runtime.error(new WebAssembly.RuntimeError('unreachable'));
    assert.throws(() => other.signing.bindings(), (e) => e === runtimeTrap);
  });

  it('a trap in the tools module ends it alone', () => {
    const { runtime, tools } = wasmModules(fakeBindings(), platform());
    const error = tools.attempt(trap).error;
    assert.match(error.message, /tools panicked/);
    assert.throws(() => tools.bindings(), (e) => e === error);
    assert.doesNotThrow(() => runtime.alive());
    assert.equal(runtime.call(() => runtime.bindings().work()), 42);
  });
});

describe('WasmModule: what comes out of a call', () => {
  const module = () => new WasmModule(() => fakeBindings(), () => {});

  it('call returns the value; PaysignError, TypeError and a host function\'s exception pass as they are', () => {
    const m = module();
    assert.equal(m.call(() => 'value'), 'value');
    for (const thrown of [new PaysignError('no', 'SIGNATURE_MISMATCH'), new TypeError('type'), { anything: true }]) {
      assert.throws(() => m.call(() => {
        throw thrown;
      }), (e) => e === thrown);
    }
    assert.doesNotThrow(() => m.alive());
  });

  it('attempt gives the outcome as a value', () => {
    const m = module();
    assert.deepEqual(m.attempt(() => 1), { ok: true, value: 1 });
    const refusal = new PaysignError('no', 'UNSUPPORTED_OPERATION');
    assert.deepEqual(m.attempt(() => {
      throw refusal;
    }), { ok: false, error: refusal });
  });

  it('stoppable: a host function ends the call early with a value; else the call\'s outcome', () => {
    const m = module();
    // A fake wasm call that hands its host function a value, and rethrows what it throws (as
    // sdk-wasm/src/notification.rs does).
    const wasmCall = (host, after) => {
      host(7);
      return after;
    };
    assert.deepEqual(m.stoppable((stop) => wasmCall((n) => stop(n * 6), 'finished')), { stopped: true, value: 42 });
    assert.deepEqual(m.stoppable(() => wasmCall(() => {}, 'finished')), { stopped: false, ok: true, value: 'finished' });
    const refusal = new PaysignError('too old', 'TIMESTAMP_OUT_OF_WINDOW');
    assert.deepEqual(m.stoppable(() => {
      throw refusal;
    }), { stopped: false, ok: false, error: refusal });
    // Another call's stop is not this call's.
    let other;
    m.stoppable((stop) => {
      other = stop;
    });
    const outcome = m.stoppable(() => other('late'));
    assert.equal(outcome.stopped, false);
    assert.equal(outcome.ok, false);
  });

  it('a trap whose panic message cannot be read reports the trap itself', () => {
    const m = new WasmModule(() => ({ takePanicMessage: () => { throw new Error('gone'); } }), () => {});
    assert.throws(() => m.call(trap), { message: 'paysign internal error (a bug, please report it): unreachable; reload the module' });
  });

  it('buffers are one per module', () => {
    const m = module();
    assert.equal(m.buffers(), m.buffers());
    assert.notEqual(module().buffers(), m.buffers());
  });
});
