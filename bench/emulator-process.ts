/**
 * The emulator in a child process, for benchmarks that measure the CPU of the client process
 * (`process.cpuUsage()` counts every thread of a process, so a worker thread would add the server's work).
 *
 * Run as a script (`fork`ed by {@link startEmulatorProcess}), it starts an emulator and answers commands over IPC.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Emulator, type EmulatorClientOptions } from '../src/emulator/index.js';

/** A command to the emulator process. */
type Command =
  | { readonly op: 'mintUser'; readonly userId: string; readonly scopes: readonly string[] }
  | { readonly op: 'appToken' }
  | { readonly op: 'trigger'; readonly subscriptionId: string; readonly count: number }
  | { readonly op: 'close' };

/** A command as sent; `id` pairs it with its answer. */
type Request = Command & { readonly id: number };

interface Answer {
  readonly id: number;
  readonly result?: unknown;
  readonly error?: string;
}

/** A handle on the emulator process. */
export interface EmulatorHandle {
  readonly options: EmulatorClientOptions;
  /** Mints a user token in the emulator (the user authorizes the default app with `scopes`); resolves with it. */
  mintUser(userId: string, scopes: readonly string[]): Promise<string>;
  /** An app access token of the default app. */
  appToken(): Promise<string>;
  /** Triggers `count` notifications of one subscription; resolves with how many reached a socket. */
  trigger(subscriptionId: string, count: number): Promise<number>;
  close(): Promise<void>;
}

const IS_HOST = process.argv.includes('--bench-emulator-host');

if (IS_HOST) {
  const emu = await Emulator.start({ port: 0, rateLimitPerMinute: Infinity, unusedTimeoutMs: 60_000 });
  const send = (message: unknown): void => {
    process.send?.(message);
  };
  // A spread: the options object shows its secret as [redacted] to JSON, which is how IPC serialises it.
  send({ ready: { ...emu.clientOptions() } });
  process.on('message', (request: Request) => {
    const answer = (result: unknown): void => {
      send({ id: request.id, result } satisfies Answer);
    };
    try {
      switch (request.op) {
        case 'mintUser':
          answer(emu.mintUserToken({ userId: request.userId, scopes: request.scopes }).accessToken);
          break;
        case 'appToken':
          answer(emu.mintAppToken().accessToken);
          break;
        case 'trigger':
          answer(emu.trigger({ subscriptionId: request.subscriptionId, count: request.count }).delivered);
          break;
        case 'close':
          void emu.close().then(() => {
            answer(null);
            process.disconnect();
          });
          break;
      }
    } catch (error) {
      send({
        id: request.id,
        error: error instanceof Error ? error.message : String(error),
      } satisfies Answer);
    }
  });
}

/** Starts the emulator in a child process (this module, run with the TypeScript loader). */
export async function startEmulatorProcess(): Promise<EmulatorHandle> {
  const child = fork(fileURLToPath(import.meta.url), ['--bench-emulator-host'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const options = await new Promise<EmulatorClientOptions>((resolve, reject) => {
    const onMessage = (message: { ready?: EmulatorClientOptions }): void => {
      if (message.ready === undefined) return;
      child.off('message', onMessage);
      resolve(message.ready);
    };
    child.on('message', onMessage);
    child.once('error', reject);
    child.once('exit', (code) => {
      reject(new Error(`the emulator process exited (${String(code)})`));
    });
  });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  child.on('message', (answer: Answer) => {
    const waiter = pending.get(answer.id);
    if (waiter === undefined) return;
    pending.delete(answer.id);
    if (answer.error === undefined) waiter.resolve(answer.result);
    else waiter.reject(new Error(answer.error));
  });
  let seq = 0;
  const call = <T>(command: Command): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = ++seq;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ ...command, id } satisfies Request);
    });
  return {
    options,
    mintUser: (userId, scopes) => call<string>({ op: 'mintUser', userId, scopes }),
    appToken: () => call<string>({ op: 'appToken' }),
    trigger: (subscriptionId, count) => call<number>({ op: 'trigger', subscriptionId, count }),
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await call<undefined>({ op: 'close' });
      await exited;
    },
  };
}

/** A Helix call with the default app's token. */
export async function appHelix(
  emu: EmulatorHandle,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ data: { id: string }[] }> {
  const res = await fetch(`${emu.options.helixUrl}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      'Client-Id': emu.options.clientId,
      'Content-Type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? { data: [] } : ((await res.json()) as { data: { id: string }[] });
}
