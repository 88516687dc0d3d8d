import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getEventListeners } from 'node:events';
import { HelixClient } from '../../src/helix/client.js';
import { AppTokenProvider, StaticAuthProvider } from '../../src/auth/app-token-provider.js';
import { APP_CONTEXT } from '../../src/auth/types.js';
import { AbortError } from '../../src/core/errors.js';
import { onAbort, sleep } from '../../src/core/sleep.js';
import { okHeaders, ScriptedServer } from './scripted-server.js';
import { until } from '../support/until.js';

// Issue 13: more than 10 concurrent waits on one AbortSignal (requests queued by the rate limiter, requests in
// flight, callers of a shared app-token acquisition) printed MaxListenersExceededWarning. A signal now carries one
// listener whatever the number of waits, and none once they are settled.

let helixServer: ScriptedServer;
let oauthServer: ScriptedServer;
const warnings: Error[] = [];
const onWarning = (warning: Error): void => {
  warnings.push(warning);
};
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  helixServer = await ScriptedServer.start();
  oauthServer = await ScriptedServer.start();
  process.on('warning', onWarning);
});
afterAll(async () => {
  process.off('warning', onWarning);
  await helixServer.close();
  await oauthServer.close();
});
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  warnings.length = 0;
});

const CONCURRENT = 50;

/** Lets pending I/O callbacks and the `process.emitWarning` tick run. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

function listeners(signal: AbortSignal): number {
  return getEventListeners(signal, 'abort').length;
}

function maxListenerWarnings(): Error[] {
  return warnings.filter((w) => w.name === 'MaxListenersExceededWarning');
}

describe('one abort listener per signal', () => {
  it('50 concurrent Helix calls on one signal: no warning, one listener, all abort, none left', async () => {
    const helix = new HelixClient({
      clientId: 'cid',
      auth: new StaticAuthProvider({ clientId: 'cid', appToken: 'app-token-0123456789' }),
      helixUrl: helixServer.url,
    });
    cleanups.push(() => {
      helix.close();
    });
    // A first answer tells the bucket's state (799 points left): then 32 requests go in flight (the concurrency
    // bound, each with its transport waiting on the signal) and 18 wait in the rate limiter's queue.
    helixServer.script({ status: 200, headers: okHeaders(), body: { data: [] } }, 'hang');
    await helix.eventSub.getConduits();
    const controller = new AbortController();
    const { signal } = controller;
    const calls = Array.from({ length: CONCURRENT }, () =>
      helix.eventSub.getConduits({ signal }).then(
        () => 'resolved',
        (error: unknown) => error,
      ),
    );
    await until(() => helixServer.requests.length === 1 + 32);
    await turn();
    expect(helix.http.rateLimitState()?.remaining).toBe(799);
    expect(listeners(signal)).toBe(1);
    expect(maxListenerWarnings()).toEqual([]);

    controller.abort();
    const outcomes = await Promise.all(calls);
    expect(outcomes.every((o) => o instanceof AbortError)).toBe(true);
    expect(listeners(signal)).toBe(0);
    await turn();
    expect(maxListenerWarnings()).toEqual([]);
  });

  it('50 concurrent calls without a signal, waiting for the app token: no warning; close() ends them all', async () => {
    oauthServer.script('hang');
    const helix = new HelixClient({
      clientId: 'cid',
      clientSecret: 'secret-0123456789',
      helixUrl: helixServer.url,
      oauthUrl: oauthServer.url,
    });
    cleanups.push(() => {
      helix.close();
    });
    const calls = Array.from({ length: CONCURRENT }, () =>
      helix.eventSub.getConduits().then(
        () => 'resolved',
        (error: unknown) => error,
      ),
    );
    await until(() => oauthServer.requests.length === 1);
    await turn();
    expect(maxListenerWarnings()).toEqual([]);
    helix.close();
    const outcomes = await Promise.all(calls);
    expect(outcomes.every((o) => o instanceof AbortError)).toBe(true);
    expect(oauthServer.requests).toHaveLength(1);
    await turn();
    expect(maxListenerWarnings()).toEqual([]);
  });

  it('50 callers of a shared app-token acquisition on one signal: one listener, all abort, none left', async () => {
    oauthServer.script('hang');
    const provider = new AppTokenProvider({
      clientId: 'cid',
      clientSecret: 'secret-0123456789',
      oauthUrl: oauthServer.url,
    });
    cleanups.push(() => {
      provider.close();
    });
    const controller = new AbortController();
    const { signal } = controller;
    const calls = Array.from({ length: CONCURRENT }, () =>
      provider.getAccessToken(APP_CONTEXT, signal).then(
        () => 'resolved',
        (error: unknown) => error,
      ),
    );
    await until(() => oauthServer.requests.length === 1);
    await turn();
    expect(listeners(signal)).toBe(1);
    expect(maxListenerWarnings()).toEqual([]);
    controller.abort();
    const outcomes = await Promise.all(calls);
    expect(outcomes.every((o) => o instanceof AbortError)).toBe(true);
    expect(listeners(signal)).toBe(0);
    await turn();
    expect(maxListenerWarnings()).toEqual([]);
  });
});

describe('onAbort', () => {
  it('fans one listener out in order, removes it with the last callback, and runs every callback when one throws', async () => {
    const controller = new AbortController();
    const { signal } = controller;
    const calls: string[] = [];
    const stopA = onAbort(signal, () => calls.push('a'));
    const stopB = onAbort(signal, () => calls.push('b'));
    expect(listeners(signal)).toBe(1);
    stopA();
    stopA(); // twice is harmless
    expect(listeners(signal)).toBe(1);
    stopB();
    expect(listeners(signal)).toBe(0);

    const boom = new Error('boom');
    onAbort(signal, () => calls.push('c'));
    onAbort(signal, () => {
      throw boom;
    });
    onAbort(signal, () => calls.push('d'));
    // Node reports an abort listener's error as an uncaught exception on the next tick: catch it here.
    const thrown: unknown[] = [];
    const previous = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    const onUncaught = (error: unknown): void => {
      thrown.push(error);
    };
    process.on('uncaughtException', onUncaught);
    try {
      controller.abort();
      await turn();
    } finally {
      process.off('uncaughtException', onUncaught);
      for (const l of previous) process.on('uncaughtException', l);
    }
    expect(calls).toEqual(['c', 'd']);
    expect(thrown).toEqual([boom]);
    expect(listeners(signal)).toBe(0);
    // Already aborted: never called back, nothing attached.
    onAbort(signal, () => calls.push('late'))();
    expect(listeners(signal)).toBe(0);
    expect(calls).toEqual(['c', 'd']);
  });

  it('sleep() leaves no listener behind, whether it ends or is aborted', async () => {
    const controller = new AbortController();
    const { signal } = controller;
    await Promise.all(Array.from({ length: 20 }, () => sleep(1, { signal })));
    expect(listeners(signal)).toBe(0);
    const pending = Array.from({ length: 20 }, () => sleep(60_000, { signal }).catch((e: unknown) => e));
    expect(listeners(signal)).toBe(1);
    controller.abort();
    const outcomes = await Promise.all(pending);
    expect(outcomes.every((o) => o instanceof AbortError)).toBe(true);
    expect(listeners(signal)).toBe(0);
    await turn();
    expect(maxListenerWarnings()).toEqual([]);
  });
});
