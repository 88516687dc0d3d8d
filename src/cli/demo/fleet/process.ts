/**
 * One worker process as the parent sees it: forked with its configuration, its messages parsed, its last state
 * kept, killed (SIGKILL) or stopped (gracefully) on demand.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  WORKER_ENV,
  type ParentMessage,
  type WorkerConfig,
  type WorkerHandled,
  type WorkerMessage,
  type WorkerState,
} from './protocol.js';

const HERE = fileURLToPath(import.meta.url);
/** Run from the sources (tsx, vitest): the worker is a .ts file that tsx compiles in the child. */
const FROM_SOURCE = HERE.endsWith('.ts');
const ENTRY = join(dirname(HERE), FROM_SOURCE ? 'worker.ts' : 'worker.js');
const STDERR_KEPT = 4096;

/** What a worker process tells its owner. */
export interface WorkerListener {
  handled(worker: WorkerProcess, message: WorkerHandled): void;
  state(worker: WorkerProcess): void;
  log(line: string): void;
}

/** A forked worker (see module docs). */
export class WorkerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Resolves when the process has exited (however). */
  readonly exited: Promise<void>;
  /** Resolves when the worker's client started (its first shards granted), rejects when it failed or died first. */
  readonly up: Promise<void>;
  /** The last state it reported. */
  state: WorkerState | null = null;
  /** `Date.now()` when {@link state} arrived. */
  stateAt = 0;
  /** Set when the parent killed it with SIGKILL. */
  killedAt = 0;
  isUp = false;
  alive = true;
  #stderr = '';

  constructor(config: WorkerConfig, listener: WorkerListener) {
    this.name = config.name;
    const child = fork(ENTRY, [], {
      env: { ...process.env, [WORKER_ENV]: JSON.stringify(config) },
      execArgv: FROM_SOURCE ? ['--conditions=twitch-realtime:source', '--import', 'tsx'] : [],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child = child;
    child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-STDERR_KEPT);
    });
    let upResolve: () => void = () => undefined;
    let upReject: (error: Error) => void = () => undefined;
    this.up = new Promise<void>((resolve, reject) => {
      upResolve = resolve;
      upReject = reject;
    });
    // Not every caller waits for `up`: a worker killed before it started must not be an unhandled rejection.
    this.up.catch(() => undefined);
    child.on('message', (message: WorkerMessage) => {
      switch (message.t) {
        case 'handled':
          listener.handled(this, message);
          break;
        case 'state':
          this.state = message;
          this.stateAt = Date.now();
          listener.state(this);
          break;
        case 'up':
          this.isUp = true;
          upResolve();
          break;
        case 'log':
          listener.log(message.line);
          break;
        case 'fatal':
          listener.log(`${this.name} failed: ${message.message}`);
          upReject(new Error(`worker ${this.name} failed: ${message.message}`));
          break;
      }
    });
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        this.alive = false;
        const why = signal ?? `code ${String(code)}`;
        upReject(new Error(`worker ${this.name} exited (${why}) before it started: ${this.#stderr.trim()}`));
        resolve();
      });
    });
  }

  /** The session ids it last reported. */
  sessions(): Set<string> {
    const out = new Set<string>();
    for (const [, session] of this.state?.shards ?? []) if (session !== null) out.add(session);
    return out;
  }

  /** Kills it at once (SIGKILL): nothing of it runs after this. */
  kill(): void {
    this.killedAt = Date.now();
    this.child.kill('SIGKILL');
  }

  /** Asks it to stop gracefully (its client closes, then it exits); SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (!this.alive) return;
    const message: ParentMessage = { t: 'stop' };
    if (this.child.connected) this.child.send(message);
    else this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }
}
