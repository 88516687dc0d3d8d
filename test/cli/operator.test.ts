import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import { formatTable, useColor } from '../../src/cli/table.js';
import { formatDuration } from '../../src/cli/commands/token.js';
import type { Emulator } from '../../src/emulator/emulator.js';
import { startEmulator } from '../support/emulator.js';
import { HelixClient } from '../../src/helix/client.js';

interface Run {
  code: number;
  out: string;
  err: string;
}

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({ subscriptionPageSize: 4, shardPageSize: 3 });
});
afterAll(async () => {
  await emu.close();
});

/** A fresh app (own conduit limit and subscriptions) and the environment pointing the CLI at the emulator. */
function app(): { clientId: string; clientSecret: string; env: Record<string, string> } {
  const { clientId, clientSecret } = emu.registerClient();
  const { helixUrl, oauthUrl } = emu.clientOptions();
  return {
    clientId,
    clientSecret,
    env: {
      TWITCH_CLIENT_ID: clientId,
      TWITCH_CLIENT_SECRET: clientSecret,
      TWITCH_HELIX_URL: helixUrl,
      TWITCH_OAUTH_URL: oauthUrl,
    },
  };
}

async function cli(argv: string[], env: Record<string, string>): Promise<Run> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    env,
    stdout: { write: (c: string) => (out += c) },
    stderr: { write: (c: string) => (err += c) },
    signal: new AbortController().signal,
  });
  return { code, out, err };
}

function expectNoSecret(run: Run, ...secrets: string[]): void {
  for (const s of secrets) {
    expect(run.out).not.toContain(s);
    expect(run.err).not.toContain(s);
  }
}

describe('help', () => {
  it('lists the operator commands and prints each command help', async () => {
    const general = await cli(['--help'], {});
    for (const name of ['emulator', 'conduits', 'subscriptions', 'token'])
      expect(general.out).toContain(name);
    for (const [name, flag] of [
      ['conduits', '--shard-count'],
      ['subscriptions', '--all'],
      ['token', 'TWITCH_TOKEN'],
    ] as const) {
      const r = await cli([name, '--help'], {});
      expect(r.code).toBe(0);
      expect(r.out).toContain(flag);
      expect(r.out).toContain(`Usage: twitch-realtime ${name}`);
    }
  });

  it('exits 2 with the command help on bad usage, before any request', async () => {
    const { env } = app();
    const requestsBefore = emu.state().helix.requests;
    const cases: string[][] = [
      ['conduits'],
      ['conduits', 'explode'],
      ['conduits', 'create'],
      ['conduits', 'create', '--shard-count', '0'],
      ['conduits', 'create', '--shard-count', '20001'],
      ['conduits', 'create', '--shard-count', '1.5'],
      ['conduits', 'update', '--shard-count', '2'],
      ['conduits', 'delete'],
      ['conduits', 'delete', 'a', 'b'],
      ['conduits', 'shards', 'x', '--status', 'bogus'],
      ['conduits', 'list', '--bogus'],
      ['subscriptions', 'list', '--type', 'a', '--status', 'enabled'],
      ['subscriptions', 'list', '--status', 'nope'],
      ['subscriptions', 'delete'],
      ['subscriptions', 'delete', '--all'],
      ['subscriptions', 'delete', 'id', '--all', '--conduit', 'c'],
      ['subscriptions', 'delete', 'id', '--conduit', 'c'],
      ['subscriptions', 'list', '--all'],
      ['token'],
      ['token', 'validate', 'positional-token'],
      ['conduits', 'list', '--helix-url', 'not a url'],
    ];
    for (const argv of cases) {
      const r = await cli(argv, env);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toContain(`Usage: twitch-realtime ${argv[0]!}`);
    }
    expect(emu.state().helix.requests).toBe(requestsBefore);
  });

  it('exits 2 when credentials are missing, naming the flag and the variable', async () => {
    const { helixUrl, oauthUrl } = emu.clientOptions();
    const r = await cli(['conduits', 'list'], { TWITCH_HELIX_URL: helixUrl, TWITCH_OAUTH_URL: oauthUrl });
    expect(r.code).toBe(2);
    expect(r.err).toContain('--client-id');
    expect(r.err).toContain('TWITCH_CLIENT_ID');
    const noSecret = await cli(['conduits', 'list', '--client-id', 'abc'], { TWITCH_HELIX_URL: helixUrl });
    expect(noSecret.code).toBe(2);
    expect(noSecret.err).toContain('TWITCH_CLIENT_SECRET');
  });
});

describe('conduits', () => {
  it('creates, lists, resizes, lists shards of and deletes a conduit (tables and --json)', async () => {
    const { env, clientSecret } = app();
    const created = await cli(['conduits', 'create', '--shard-count', '7', '--json'], env);
    expect(created.code).toBe(0);
    const conduit = JSON.parse(created.out) as { id: string; shardCount: number };
    expect(conduit.shardCount).toBe(7);

    const second = await cli(['conduits', 'create', '--shard-count', '2'], env);
    expect(second.out).toMatch(/^Created conduit \S+ with 2 shards\.\n$/);

    const table = await cli(['conduits', 'list'], env);
    expect(table.code).toBe(0);
    const lines = table.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+SHARDS$/);
    expect(lines).toHaveLength(3);
    // Aligned: the SHARDS column starts at the same offset on every line, no colour codes (not a TTY).
    const column = lines[0]!.indexOf('SHARDS');
    for (const line of lines.slice(1)) expect(line.slice(column)).toMatch(/^\d+$/);
    expect(table.out).toContain(conduit.id);
    expect(table.out).not.toContain('\u001b[');

    const json = await cli(['conduits', 'list', '--json'], env);
    const listed = JSON.parse(json.out) as { id: string; shardCount: number }[];
    expect(listed.map((c) => c.id).sort()).toEqual([conduit.id, second.out.split(' ')[2]!].sort());

    const updated = await cli(['conduits', 'update', conduit.id, '--shard-count', '5', '--json'], env);
    expect(updated.code).toBe(0);
    expect(JSON.parse(updated.out)).toEqual({ id: conduit.id, shardCount: 5 });

    // 5 shards over pages of 3, all disabled (no transport yet).
    const shards = await cli(['conduits', 'shards', conduit.id, '--json'], env);
    expect(shards.code).toBe(0);
    const shardList = JSON.parse(shards.out) as { id: string; status: string }[];
    expect(shardList.map((s) => s.id)).toEqual(['0', '1', '2', '3', '4']);
    const enabled = await cli(['conduits', 'shards', conduit.id, '--status', 'enabled'], env);
    expect(enabled.out).toBe('No shards.\n');
    const shardTable = await cli(['conduits', 'shards', conduit.id], env);
    expect(shardTable.out.split('\n')[0]).toMatch(/^SHARD\s+STATUS\s+METHOD/);
    expect(shardTable.out.trimEnd().split('\n')).toHaveLength(6);

    const deleted = await cli(['conduits', 'delete', conduit.id], env);
    expect(deleted.code).toBe(0);
    expect(deleted.out).toBe(`Deleted conduit ${conduit.id}.\n`);
    const after = JSON.parse((await cli(['conduits', 'list', '--json'], env)).out) as unknown[];
    expect(after).toHaveLength(1);
    for (const r of [created, second, table, json, updated, shards, deleted]) expectNoSecret(r, clientSecret);
  });

  it('reports Twitch errors on one stderr line with the code and message, exit 1', async () => {
    const { env, clientSecret } = app();
    const missing = await cli(['conduits', 'delete', 'no-such-conduit'], env);
    expect(missing.code).toBe(1);
    expect(missing.out).toBe('');
    expect(missing.err).toMatch(/^twitch-realtime conduits delete: NOT_FOUND \(404\): .+\n$/);
    expect(missing.err.split('\n')).toHaveLength(2);

    for (let i = 0; i < 5; i++)
      expect((await cli(['conduits', 'create', '--shard-count', '1'], env)).code).toBe(0);
    const sixth = await cli(['conduits', 'create', '--shard-count', '1'], env);
    expect(sixth.code).toBe(1);
    expect(sixth.err).toMatch(/LIMIT_EXCEEDED \(429\)/);

    const wrongSecret = await cli(['conduits', 'list'], {
      ...env,
      TWITCH_CLIENT_SECRET: 'wrong-secret-value',
    });
    expect(wrongSecret.code).toBe(1);
    expect(wrongSecret.err).toMatch(
      /^twitch-realtime conduits list: APP_TOKEN_FAILED: [^\n]+: \S+ \((400|401|403)\): [^\n]+\n$/,
    );
    expectNoSecret(wrongSecret, 'wrong-secret-value', clientSecret);
    expectNoSecret(missing, clientSecret);
  });

  it('prefers flags over the environment', async () => {
    const { env, clientId, clientSecret } = app();
    const other = app();
    const viaFlags = await cli(
      ['conduits', 'create', '--shard-count', '3', '--client-id', clientId, '--client-secret', clientSecret],
      { ...env, TWITCH_CLIENT_ID: other.clientId, TWITCH_CLIENT_SECRET: 'not-the-secret' },
    );
    expect(viaFlags.code).toBe(0);
    // Created for the flags' app, not the environment's.
    expect(JSON.parse((await cli(['conduits', 'list', '--json'], env)).out)).toHaveLength(1);
    expect(JSON.parse((await cli(['conduits', 'list', '--json'], other.env)).out)).toHaveLength(0);
  });

  // 20 s: the CLI's Helix client retries a refused connection with its real default backoff before it gives up.
  it('exits 1 with a network error line when the Helix URL is unreachable', async () => {
    const { env } = app();
    const r = await cli(['conduits', 'list'], {
      ...env,
      TWITCH_HELIX_URL: 'http://127.0.0.1:1/helix',
      TWITCH_OAUTH_URL: 'http://127.0.0.1:1/oauth2',
    });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^twitch-realtime conduits list: \S+: /);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  }, 20_000);
});

describe('subscriptions', () => {
  async function seed(
    clientId: string,
    clientSecret: string,
  ): Promise<{ a: string; b: string; ids: string[] }> {
    const { helixUrl, oauthUrl } = emu.clientOptions();
    const helix = new HelixClient({ clientId, clientSecret, helixUrl, oauthUrl });
    try {
      const a = (await helix.eventSub.createConduit({ shardCount: 1 })).id;
      const b = (await helix.eventSub.createConduit({ shardCount: 1 })).id;
      const users = emu.state().users.map((u) => u.id);
      const ids: string[] = [];
      for (let i = 0; i < 9; i++) {
        const created = await helix.eventSub.createSubscription({
          type: i < 6 ? 'stream.online' : 'stream.offline',
          version: '1',
          condition: { broadcaster_user_id: users[i]! },
          transport: { method: 'conduit', conduitId: i < 7 ? a : b },
        });
        ids.push(created.subscription.id);
      }
      return { a, b, ids };
    } finally {
      helix.close();
    }
  }

  it('lists every page as a table or JSON, with filters and --conduit', async () => {
    const { env, clientId, clientSecret } = app();
    const { a, b, ids } = await seed(clientId, clientSecret);
    const all = await cli(['subscriptions', 'list', '--json'], env);
    expect(all.code).toBe(0);
    const body = JSON.parse(all.out) as { data: { id: string; transport: unknown }[]; total: number };
    expect(body.data.map((s) => s.id).sort()).toEqual([...ids].sort());
    expect(body.total).toBe(9);

    const offline = JSON.parse(
      (await cli(['subscriptions', 'list', '--type', 'stream.offline', '--json'], env)).out,
    ) as {
      data: { type: string }[];
    };
    expect(offline.data).toHaveLength(3);
    expect(offline.data.every((s) => s.type === 'stream.offline')).toBe(true);

    const ofB = JSON.parse((await cli(['subscriptions', 'list', '--conduit', b, '--json'], env)).out) as {
      data: { transport: { conduitId: string } }[];
    };
    expect(ofB.data).toHaveLength(2);
    expect(ofB.data.every((s) => s.transport.conduitId === b)).toBe(true);

    const table = await cli(['subscriptions', 'list', '--conduit', a], env);
    const lines = table.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+TYPE\s+VERSION\s+COST\s+TRANSPORT\s+CONDITION\s+CREATED$/);
    expect(lines).toHaveLength(1 + 7 + 1);
    expect(lines[1]).toContain(`conduit:${a}`);
    expect(lines[1]).toMatch(/broadcaster_user_id=\d+/);
    expect(lines.at(-1)).toMatch(/^7 shown; total 9, cost \d+ of \d+$/);
    const typeCol = lines[0]!.indexOf('TYPE');
    for (const line of lines.slice(1, -1)) expect(line.slice(typeCol)).toMatch(/^stream\.(online|offline)/);

    const one = JSON.parse(
      (await cli(['subscriptions', 'list', '--subscription-id', ids[0]!, '--json'], env)).out,
    ) as {
      data: unknown[];
    };
    expect(one.data).toHaveLength(1);
  });

  it('deletes one subscription, then every subscription of a conduit, printing the count', async () => {
    const { env, clientId, clientSecret } = app();
    const { a, b, ids } = await seed(clientId, clientSecret);
    const single = await cli(['subscriptions', 'delete', ids[0]!], env);
    expect(single.code).toBe(0);
    expect(single.out).toBe(`Deleted subscription ${ids[0]!}.\n`);

    const bulk = await cli(['subscriptions', 'delete', '--all', '--conduit', a], env);
    expect(bulk.code).toBe(0);
    expect(bulk.out).toBe(`Deleted 6 of 6 subscriptions of conduit ${a}.\n`);
    const left = emu.state().subscriptions.filter((s) => s.client_id === clientId);
    expect(left).toHaveLength(2);
    expect(left.every((s) => s.transport.method === 'conduit' && s.transport.conduit_id === b)).toBe(true);

    const json = await cli(['subscriptions', 'delete', '--all', '--conduit', b, '--json'], env);
    expect(JSON.parse(json.out)).toEqual({ conduitId: b, matched: 2, deleted: 2, alreadyGone: 0, failed: 0 });
    const none = await cli(['subscriptions', 'delete', '--all', '--conduit', b], env);
    expect(none.out).toBe(`Deleted 0 of 0 subscriptions of conduit ${b}.\n`);

    const again = await cli(['subscriptions', 'delete', ids[0]!], env);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/NOT_FOUND \(404\)/);
    for (const r of [single, bulk, json, again]) expectNoSecret(r, clientSecret);
  });
});

describe('token validate', () => {
  it('prints login, user id, client id, scopes and expiry, never the token', async () => {
    const { helixUrl, oauthUrl, clientId } = emu.clientOptions();
    const user = emu.mintUserToken({
      userId: '424242',
      login: 'cli_tester',
      scopes: ['chat:read', 'bits:read'],
    });
    const env = { TWITCH_TOKEN: user.accessToken, TWITCH_OAUTH_URL: oauthUrl, TWITCH_HELIX_URL: helixUrl };
    const r = await cli(['token', 'validate'], env);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/^Kind\s+user token$/m);
    expect(r.out).toMatch(/^Login\s+cli_tester$/m);
    expect(r.out).toMatch(/^User ID\s+424242$/m);
    expect(r.out).toMatch(new RegExp(`^Client ID\\s+${clientId}$`, 'm'));
    expect(r.out).toMatch(/^Scopes\s+.*bits:read/m);
    expect(r.out).toMatch(/^Expires\s+in \d/m);
    expectNoSecret(r, user.accessToken);

    const json = await cli(['token', 'validate', '--json'], env);
    const info = JSON.parse(json.out) as Record<string, unknown>;
    expect(info).toMatchObject({ kind: 'user', login: 'cli_tester', userId: '424242', clientId });
    expect(info.scopes).toEqual(expect.arrayContaining(['chat:read', 'bits:read']));
    expect(typeof info.expiresIn).toBe('number');

    const app = emu.mintAppToken();
    const appRun = await cli(['token', 'validate', '--json'], { ...env, TWITCH_TOKEN: app.accessToken });
    expect(JSON.parse(appRun.out)).toMatchObject({ kind: 'app', userId: null, login: null });
  });

  it('warns when the token comes from a flag, and reports an invalid token on one line', async () => {
    const { oauthUrl } = emu.clientOptions();
    const user = emu.mintUserToken({ userId: '434343', scopes: [] });
    const flagged = await cli(['token', 'validate', '--token', user.accessToken], {
      TWITCH_OAUTH_URL: oauthUrl,
    });
    expect(flagged.code).toBe(0);
    expect(flagged.err).toContain('visible');
    expectNoSecret(flagged, user.accessToken);

    const bad = await cli(['token', 'validate'], {
      TWITCH_TOKEN: 'definitely-not-a-token',
      TWITCH_OAUTH_URL: oauthUrl,
    });
    expect(bad.code).toBe(1);
    expect(bad.out).toBe('');
    expect(bad.err).toMatch(/^twitch-realtime token validate: UNAUTHORIZED \(401\): .+\n$/);
    expectNoSecret(bad, 'definitely-not-a-token');

    const none = await cli(['token', 'validate'], { TWITCH_OAUTH_URL: oauthUrl });
    expect(none.code).toBe(2);
    expect(none.err).toContain('TWITCH_TOKEN');
  });
});

describe('table helpers', () => {
  it('aligns columns, prints - for empty cells, neutralises control characters', () => {
    const out = formatTable(
      ['A', 'LONG HEADER', 'C'],
      [
        ['xyz', null, 'last'],
        ['q', 'evil\u001b[2J', new Date(0)],
      ],
    );
    expect(out).toBe(
      'A    LONG HEADER  C\n' + 'xyz  -            last\n' + 'q    evil?[2J     1970-01-01T00:00:00.000Z\n',
    );
    expect(formatTable(['H'], [], { color: true })).toBe('\u001b[1mH\u001b[22m\n');
  });

  it('uses colours only on a TTY without NO_COLOR', () => {
    expect(useColor({ write: () => true }, {})).toBe(false);
    expect(useColor({ write: () => true, isTTY: true }, {})).toBe(true);
    expect(useColor({ write: () => true, isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColor({ write: () => true, isTTY: true }, { TERM: 'dumb' })).toBe(false);
  });

  it('formats durations', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(14_399)).toBe('3h 59m 59s');
    expect(formatDuration(90_000)).toBe('1d 1h');
  });
});
