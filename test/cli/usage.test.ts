/**
 * Usage errors in the CLI's own words: unknown commands, actions, options and values with a "did you mean",
 * negative numbers checked by range instead of parseArgs' "ambiguous" text, `help [command]`, and the exit codes
 * (0 success, 1 failure, 2 bad usage).
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import { editDistance, closestName } from '../../src/core/suggest.js';

interface Run {
  code: number;
  out: string;
  err: string;
}

/** Credentials and URLs that no request could reach: a usage error must come before any request. */
const OFFLINE = {
  TWITCH_CLIENT_ID: 'cli-usage',
  TWITCH_CLIENT_SECRET: 'cli-usage-secret',
  TWITCH_HELIX_URL: 'http://127.0.0.1:9/helix',
  TWITCH_OAUTH_URL: 'http://127.0.0.1:9/oauth2',
};

async function cli(argv: string[], env: Record<string, string> = OFFLINE): Promise<Run> {
  let out = '';
  let err = '';
  // An emulator that starts (it should not, in these tests) is stopped at once instead of running forever.
  const controller = new AbortController();
  const code = await main(argv, {
    env,
    stdout: {
      write: (c: string) => {
        out += c;
        if (out.includes('Press Ctrl+C')) controller.abort();
      },
    },
    stderr: { write: (c: string) => (err += c) },
    signal: controller.signal,
  });
  return { code, out, err };
}

/** The first line of stderr (the reason; the help follows). */
const reason = (run: Run): string => run.err.split('\n')[0] ?? '';

describe('usage errors say what happened, exit 2', () => {
  it.each([
    [
      ['conduits', 'create', '--shard-count', '-3'],
      'twitch-realtime conduits: --shard-count must be an integer in 1..20000, got "-3"',
    ],
    [
      ['conduits', 'create', '--shard-count=-3'],
      'twitch-realtime conduits: --shard-count must be an integer in 1..20000, got "-3"',
    ],
    [
      ['conduits', 'create', '--shard-cont', '4'],
      'twitch-realtime conduits: unknown option --shard-cont (did you mean --shard-count?)',
    ],
    [['conduits', 'create', '--shard-count'], 'twitch-realtime conduits: --shard-count needs a value'],
    [
      ['conduits', 'create', '--shard-count', '--json'],
      'twitch-realtime conduits: --shard-count needs a value; got the option --json',
    ],
    [['conduits', 'list', '--json=yes'], 'twitch-realtime conduits: --json takes no value (got "yes")'],
    [
      ['conduits', 'lst'],
      'twitch-realtime conduits: unknown action "lst" (did you mean list?) (list, create, update, delete, shards)',
    ],
    [
      ['conduits', 'shards', 'c1', '--status', 'enabeld'],
      expect.stringMatching(
        /^twitch-realtime conduits: --status must be one of .*; got "enabeld" \(did you mean enabled\?\)$/,
      ),
    ],
    [
      ['subscriptions', 'dlete', 'x'],
      'twitch-realtime subscriptions: unknown action "dlete" (did you mean delete?) (list, delete)',
    ],
    [['token', 'valdate'], 'twitch-realtime token: unknown action "valdate" (did you mean validate?)'],
    [['conduit', 'list'], 'twitch-realtime: unknown command "conduit" (did you mean conduits?)'],
    [['hlep'], 'twitch-realtime: unknown command "hlep" (did you mean help?)'],
    [['--hepl'], 'twitch-realtime: unknown option --hepl (did you mean --help?)'],
    [['--version', 'x'], 'twitch-realtime: unexpected argument "x"'],
    [['demo', '--shards', '-3'], 'twitch-realtime demo: --shards must be an integer in 1..64, got "-3"'],
    [['demo', '--shard', '3'], 'twitch-realtime demo: unknown option --shard (did you mean --shards?)'],
    [
      ['emulator', '--port', '-1'],
      'twitch-realtime emulator: --port must be an integer in 0..65535, got "-1"',
    ],
    [['emulator', '--prot', '0'], 'twitch-realtime emulator: unknown option --prot (did you mean --port?)'],
    [
      ['emulator', '--port', '0', '--host', 'a b'],
      expect.stringMatching(/^twitch-realtime emulator: --host must be a host name or IP address/),
    ],
    [
      ['emulator', '--port', '0', '--client-id', 'has space'],
      expect.stringMatching(/^twitch-realtime emulator: --client-id must be 1-64 letters/),
    ],
  ] as const)('%j', async (argv, expected) => {
    const run = await cli([...argv]);
    expect(run.code).toBe(2);
    expect(reason(run)).toEqual(expected);
    // No parseArgs wording, and balanced quotes.
    expect(run.err).not.toMatch(/ambiguous|To specify a positional argument/);
    expect((reason(run).match(/"/g) ?? []).length % 2).toBe(0);
    expect(run.out).toBe('');
  });

  it('demo --live without credentials is bad usage (exit 2), as docs/cli.md says', async () => {
    const run = await cli(['demo', '--live', '--duration', '1'], { TWITCH_CLIENT_SECRET: 'x' });
    expect(run.code).toBe(2);
    expect(reason(run)).toBe(
      'twitch-realtime demo: --live needs TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET in the environment (an app of dev.twitch.tv/console)',
    );
  });
});

describe('help', () => {
  it('twitch-realtime help prints the general help, exit 0', async () => {
    const run = await cli(['help']);
    expect(run.code).toBe(0);
    expect(run.out).toBe((await cli(['--help'])).out);
    expect(run.out).toMatch(/^ {2}help \[command\] +Show this help/m);
    expect(run.err).toBe('');
  });

  it.each(['demo', 'emulator', 'conduits', 'subscriptions', 'token'])(
    'twitch-realtime help %s prints that command help, exit 0',
    async (name) => {
      const run = await cli(['help', name]);
      expect(run.code).toBe(0);
      expect(run.out).toBe((await cli([name, '--help'])).out);
      expect(run.out).toContain(`Usage: twitch-realtime ${name}`);
    },
  );

  it('help of an unknown command suggests the closest, exit 2', async () => {
    const run = await cli(['help', 'subscription']);
    expect(run.code).toBe(2);
    expect(reason(run)).toBe(
      'twitch-realtime help: unknown command "subscription" (did you mean subscriptions?)',
    );
    const extra = await cli(['help', 'token', 'validate']);
    expect(extra.code).toBe(2);
    expect(reason(extra)).toBe('twitch-realtime help: unexpected argument "validate"');
  });
});

describe('exit codes', () => {
  it('0 for success, 1 for a failed request, 2 for bad usage', async () => {
    expect((await cli(['--version'])).code).toBe(0);
    // Well-formed, but nothing listens at the URLs: a failure, not bad usage.
    const failed = await cli(['conduits', 'create', '--shard-count', '4'], OFFLINE);
    expect(failed.code).toBe(1);
    expect(failed.err).toMatch(/^twitch-realtime conduits create: /);
    expect((await cli(['conduits', 'create', '--shard-count', '0'])).code).toBe(2);
  });
});

describe('did you mean', () => {
  it('measures edits, transpositions included, and only suggests close names', () => {
    expect(editDistance('shard-cont', 'shard-count')).toBe(1);
    expect(editDistance('hlep', 'help')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(closestName('conduit', ['demo', 'conduits', 'token'])).toBe('conduits');
    expect(closestName('shard', ['shard-count', 'status'])).toBe('shard-count');
    expect(closestName('xyz', ['demo', 'conduits', 'token'])).toBeUndefined();
    expect(closestName('a', ['b'])).toBe('b');
    expect(closestName('ab', ['xy'])).toBeUndefined();
  });
});
