/**
 * The AutoClient's options: the one table of defaults against the `@defaultValue`s of the TSDoc (they must say the
 * same), the resolved options against the table, and the checks the sessions' options get without a session.
 */
import { describe, expect, it } from 'vitest';
import { LITERAL, documentedDefaults as documentedIn, spelled } from '../../support/defaults.js';
import { silentLogger } from '../../../src/core/logger.js';
import { AutoClient } from '../../../src/eventsub/conduit/index.js';
import { AUTO_CLIENT_DEFAULTS, resolveOptions } from '../../../src/eventsub/conduit/options.js';
import { Emulator } from '../../../src/emulator/index.js';
import { HelixClient } from '../../../src/helix/client.js';
import type { HelixBudget } from '../../../src/helix/budget.js';

const OPTIONS_FILE = new URL('../../../src/eventsub/conduit/options.ts', import.meta.url);
const documentedDefaults = (name: string): Map<string, string> => documentedIn(OPTIONS_FILE, name);

describe('AUTO_CLIENT_DEFAULTS', () => {
  const { webhook, ...top } = AUTO_CLIENT_DEFAULTS;

  it('is what the TSDoc @defaultValue of each option says, and the TSDoc names no literal default it lacks', () => {
    const documented = documentedDefaults('AutoClientOptions');
    for (const [key, value] of Object.entries(top)) {
      expect({ key, doc: documented.get(key) }).toEqual({ key, doc: spelled(value) });
    }
    const literal = [...documented].filter(([, doc]) => LITERAL.test(doc)).map(([key]) => key);
    expect(literal.sort()).toEqual(Object.keys(top).sort());
    const hook = documentedDefaults('WebhookShardOptions');
    for (const [key, value] of Object.entries(webhook)) {
      expect({ key, doc: hook.get(key) }).toEqual({ key, doc: spelled(value) });
    }
  });

  it('is frozen, nested objects included', () => {
    expect(Object.isFrozen(AUTO_CLIENT_DEFAULTS)).toBe(true);
    expect(Object.isFrozen(AUTO_CLIENT_DEFAULTS.shardRetry)).toBe(true);
    expect(Object.isFrozen(AUTO_CLIENT_DEFAULTS.webhook)).toBe(true);
  });

  it('is what an AutoClient without options resolves to', () => {
    const resolved = resolveOptions({ clientId: 'c', clientSecret: 's' }, silentLogger);
    const { helixUrl, oauthUrl, eventSubWsUrl, ...rest } = top;
    expect(resolved).toMatchObject({ ...rest, helixUrl, oauthUrl, session: { url: eventSubWsUrl } });
    const hooked = resolveOptions(
      {
        clientId: 'c',
        clientSecret: 's',
        webhook: { callback: 'https://h.example/t', secret: 's'.repeat(10) },
      },
      silentLogger,
    );
    expect(hooked.webhook?.verificationTimeoutMs).toBe(webhook.verificationTimeoutMs);
    expect(hooked.webhook?.serves('17')).toBe(true); // 'all'
  });

  it('keeps the cap of a backoff at least its first delay', () => {
    const resolved = resolveOptions(
      { clientId: 'c', clientSecret: 's', shardRetry: { initialMs: 120_000 } },
      silentLogger,
    );
    expect(resolved.shardRetry).toEqual({ initialMs: 120_000, maxMs: 120_000 });
  });
});

describe('session options', () => {
  const base = { clientId: 'c', clientSecret: 's' };

  it('are checked as each session will check them, naming the client option', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ eventSubWsUrl: 'http://x' }, 'eventSubWsUrl'],
      [{ eventSubWsUrl: 'not a url' }, 'eventSubWsUrl'],
      // A wildcard over an IP address: refused by the session's host rules, not only by the table's syntax.
      [{ session: { allowedReconnectHosts: ['*.0.0.127'] } }, 'session.allowedReconnectHosts[0]'],
      [{ keepaliveTimeoutSeconds: 9 }, 'keepaliveTimeoutSeconds'],
    ];
    for (const [options, field] of cases) {
      expect(() => new AutoClient({ ...base, ...options })).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', field }) as Error,
      );
    }
  });
});

describe('helixBudget', () => {
  it('reaches the Helix client the AutoClient builds: its requests take their point from it', async () => {
    const emu = await Emulator.start({ port: 0, rateLimitPerMinute: Infinity });
    const taken: string[] = [];
    const budget: HelixBudget = {
      take: (bucket) => {
        taken.push(bucket);
        return Promise.resolve(null);
      },
      observe: () => undefined,
    };
    const client = new AutoClient({ ...emu.clientOptions(), helixBudget: budget });
    try {
      await client.helix.eventSub.getConduits();
      expect(taken).toEqual(['app']);
    } finally {
      await client.close();
      await emu.close();
    }
  });

  it('with a helix client of its own is an INVALID_ARGUMENT (it would go unused)', () => {
    const helix = new HelixClient({ clientId: 'c', clientSecret: 's' });
    const budget: HelixBudget = { take: () => Promise.resolve(null), observe: () => undefined };
    expect(() => new AutoClient({ clientId: 'c', helix, helixBudget: budget })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'helixBudget' }) as Error,
    );
    helix.close();
  });
});
