/**
 * A `redis-server` started for one fleet run: a free loopback port, a temporary directory, no persistence; stopped
 * (and its directory removed) by {@link RunRedis.stop}, and killed when this process exits. Never a shared or
 * pre-existing server. `REDIS_SERVER` names another binary (Valkey's `valkey-server` works too).
 *
 * Outages for the acceptance runs: {@link RunRedis.freeze}/{@link RunRedis.thaw} stop and resume the server process
 * (SIGSTOP/SIGCONT: connections stay open and nothing answers, as in a partition); {@link RunRedis.restart} kills it
 * (SIGKILL, as a crash) and starts it again, empty, on the same port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What to do when the binary is missing (the message of the error thrown). */
export const REDIS_INSTALL_HINT =
  'the fleet demo needs redis-server (Redis 6.2+ or Valkey) on the PATH: install it (Debian/Ubuntu: ' +
  '`sudo apt-get install redis-server`, macOS: `brew install redis`, Docker: run `redis` and point ' +
  'REDIS_SERVER at a local binary) or set REDIS_SERVER to the path of redis-server or valkey-server';

/** A running server of the run. */
export interface RunRedis {
  readonly url: string;
  readonly port: number;
  /** Suspends the server (SIGSTOP): connected clients get no answer until {@link thaw}. */
  freeze(): void;
  /** Resumes a frozen server (SIGCONT). */
  thaw(): void;
  /** Kills the server (SIGKILL, as a crash) and starts it again, empty, on the same port, `downMs` later. */
  restart(downMs?: number): Promise<void>;
  /** Stops the server (SIGTERM, then SIGKILL after 2 s) and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHook = false;

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

function launch(binary: string, port: number, dir: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      binary,
      [
        ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir],
        ...['--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--loglevel', 'notice'],
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    live.add(child);
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) done();
    };
    function done(): void {
      child.stdout.off('data', onData);
      child.stdout.resume();
      child.removeAllListeners('exit');
      child.once('exit', () => live.delete(child));
      resolve(child);
    }
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (error: NodeJS.ErrnoException) => {
      live.delete(child);
      reject(error.code === 'ENOENT' ? new Error(`${binary} not found: ${REDIS_INSTALL_HINT}`) : error);
    });
    child.once('exit', (code) => {
      live.delete(child);
      reject(new Error(`${binary} exited with ${String(code)} before it was ready: ${output.trim()}`));
    });
  });
}

/**
 * Starts a fresh server for the run.
 *
 * @throws `Error` with {@link REDIS_INSTALL_HINT} when the binary is missing.
 * @example
 * ```ts
 * const redis = await startRunRedis();
 * console.log(redis.url); // redis://127.0.0.1:40123
 * await redis.stop();
 * ```
 */
export async function startRunRedis(binary = process.env.REDIS_SERVER ?? 'redis-server'): Promise<RunRedis> {
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const child of live) child.kill('SIGKILL');
    });
  }
  const dir = mkdtempSync(join(tmpdir(), 'tr-fleet-redis-'));
  let port = 0;
  let child: ChildProcess | undefined;
  for (let attempt = 0; child === undefined; attempt++) {
    port = await freePort();
    try {
      child = await launch(binary, port, dir);
    } catch (error) {
      if (attempt >= 3 || (error instanceof Error && error.message.includes(REDIS_INSTALL_HINT))) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
  let server: ChildProcess = child;
  let stopping: Promise<void> | undefined;
  // Read through a function: `stopping` changes across the awaits of `restart`.
  const stopped = (): boolean => stopping !== undefined;
  /** Ends the down time of a `restart` at once (on `stop`). */
  let wake: (() => void) | undefined;
  return {
    port,
    url: `redis://127.0.0.1:${String(port)}`,
    freeze() {
      if (stopping === undefined) server.kill('SIGSTOP');
    },
    thaw() {
      server.kill('SIGCONT');
    },
    async restart(downMs = 0) {
      if (stopped()) return;
      const old = server;
      if (old.exitCode === null && old.signalCode === null) {
        const exited = new Promise<void>((resolve) =>
          old.once('exit', () => {
            resolve();
          }),
        );
        old.kill('SIGCONT');
        old.kill('SIGKILL');
        await exited;
      }
      if (downMs > 0 && !stopped()) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, downMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
      if (stopped()) return;
      server = await launch(binary, port, dir);
      // Stopped meanwhile: this one is not the run's any more.
      if (stopped()) server.kill('SIGKILL');
    },
    stop() {
      wake?.();
      stopping ??= new Promise<void>((resolve) => {
        const current = server;
        const finish = (): void => {
          clearTimeout(hard);
          rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        const hard = setTimeout(() => current.kill('SIGKILL'), 2000);
        if (current.exitCode !== null || current.signalCode !== null) {
          finish();
          return;
        }
        current.once('exit', finish);
        current.kill('SIGCONT');
        current.kill('SIGTERM');
      });
      return stopping;
    },
  };
}
