// A real redis-server for the Redis suites: on 127.0.0.1 and a port picked here, with no
// persistence, in a temporary directory. Missing redis-server is a failure, not a skip:
// scripts/setup.sh installs it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const children = new Set();
// The last resort when a suite dies before its `after`: no redis-server outlives the run.
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Waits for `check()` to be truthy, polling, until `timeoutMs`; returns its value. */
export async function waitFor(check, { timeoutMs = 15_000, everyMs = 50, what = 'a condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** A port on 127.0.0.1 that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function redisServerBinary() {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).concat('/usr/bin', '/usr/sbin')) {
    const candidate = path.join(dir, 'redis-server');
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new Error('redis-server is not installed: run scripts/setup.sh (it installs the Debian package redis-server); the Redis suites need a real server');
}

/**
 * Whether the server on `port` answers and is process `pid` (INFO over a raw socket): a
 * server someone else left on the port is not taken for ours.
 */
function answersAs(port, pid) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('INFO server\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk;
      if (reply.startsWith('-')) done(false); // LOADING: not ready yet
      const match = reply.match(/\r\nprocess_id:(\d+)\r\n/);
      if (match) done(Number(match[1]) === pid);
    });
  });
}

/** A redis-server process: `start()` (again after `stop()`, on the same port), `stop()`. */
export class RedisServer {
  #binary = redisServerBinary();
  #dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paysign-redis-'));
  #child = null;
  port = null;

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server (on a new free port the first time) and waits until it answers. */
  async start() {
    if (this.#child !== null) throw new Error('redis-server is running already');
    // A port can be taken between freePort() and the server's bind: try a few.
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = this.port ?? (await freePort());
      const child = spawn(this.#binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.#dir], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.add(child);
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      child.once('exit', () => children.delete(child));
      const exited = () => child.exitCode !== null || child.signalCode !== null;
      let state;
      try {
        state = await waitFor(async () => (exited() ? 'exited' : (await answersAs(port, child.pid)) && 'ready'), { timeoutMs: 10_000, what: `redis-server on port ${port}` });
      } catch (e) {
        child.kill('SIGKILL');
        throw new Error(`${e.message}:\n${output}`);
      }
      if (state === 'ready') {
        this.#child = child;
        this.port = port;
        return this;
      }
      if (this.port !== null) throw new Error(`redis-server did not restart on port ${port}:\n${output}`);
    }
    throw new Error('redis-server did not start on any of 5 free ports');
  }

  /** Stops the server: SIGTERM, then SIGKILL if it has not exited within 5 s. */
  async stop() {
    const child = this.#child;
    if (child === null) return;
    this.#child = null;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  /** Stops the server and removes its directory. */
  async close() {
    await this.stop();
    fs.rmSync(this.#dir, { recursive: true, force: true });
  }
}
