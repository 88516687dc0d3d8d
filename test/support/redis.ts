/**
 * A real `redis-server` of the test's own: started on a free loopback port in a temporary directory (no
 * persistence), stopped by `stop()`. Never a shared or pre-existing server. `.ci/run` installs Debian's
 * `redis-server` when it is missing; `REDIS_SERVER` names another binary (Valkey's `valkey-server` works too).
 *
 * `freeze()`/`thaw()` stop and resume the server process (SIGSTOP/SIGCONT): connections stay open and nothing
 * answers, as in a partition. `restart()` stops it and starts it again on the same port, empty.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectRedis, type OwnedRedisConnection } from '../../src/fleet/redis.js';

export interface TestRedis {
  readonly port: number;
  readonly url: string;
  /** A new connection (closed by `stop()` if still open). */
  connect(): Promise<OwnedRedisConnection>;
  freeze(): void;
  thaw(): void;
  /** Stops the server (SIGKILL, as a crash) and starts it again, empty, on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const BINARY = process.env.REDIS_SERVER ?? 'redis-server';
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

function launch(port: number, dir: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      BINARY,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
        '--protected-mode',
        'no',
        '--loglevel',
        'notice',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    live.add(child);
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve(child);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.resume();
    child.once('error', (error) => {
      live.delete(child);
      reject(new Error(`could not start ${BINARY} (install redis-server): ${error.message}`));
    });
    child.once('exit', (code) => {
      live.delete(child);
      reject(new Error(`${BINARY} exited with ${String(code)} before it was ready:\n${output}`));
    });
  });
}

function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => {
      resolve();
    });
    child.kill('SIGCONT');
    child.kill(signal);
  });
}

/** Starts a fresh server; retries on another port if the one picked was taken in between. */
export async function startRedis(): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'tr-redis-'));
  let port = 0;
  let child: ChildProcess | undefined;
  for (let attempt = 0; child === undefined; attempt++) {
    port = await freePort();
    try {
      child = await launch(port, dir);
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
  const connections = new Set<OwnedRedisConnection>();
  let current: ChildProcess = child;
  const url = `redis://127.0.0.1:${String(port)}`;
  return {
    port,
    url,
    async connect() {
      const connection = await connectRedis(url);
      connections.add(connection);
      return connection;
    },
    freeze() {
      current.kill('SIGSTOP');
    },
    thaw() {
      current.kill('SIGCONT');
    },
    async restart() {
      await kill(current, 'SIGKILL');
      current = await launch(port, dir);
    },
    async stop() {
      await Promise.all([...connections].map((c) => c.close()));
      await kill(current, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
