import { describe, expect, it } from 'vitest';
import {
  Commands,
  type ArgsShape,
  CommandArgumentError,
  CommandNotFoundError,
  arg,
  command,
  group,
  guard,
  cooldowns,
  commandModule,
  type CommandError,
} from '../../src/bot/index.js';
import { RecordingActions, VIEWER, chat } from './commands-support.js';
import { guards } from '../../src/bot/index.js';

/** Runs `!t <line>` against a command with `args`, returning the parsed args or the command error. */
async function parse(args: ArgsShape, line: string): Promise<unknown> {
  let seen: unknown = null;
  const commands = new Commands({ prefix: '!', onError: () => undefined }).add(
    command({
      name: 't',
      args,
      strict: true,
      run: (ctx) => {
        seen = { ...ctx.args };
      },
    }),
  );
  const r = await commands.dispatch(chat(`!t ${line}`), new RecordingActions());
  if (r.status === 'error') return r.error;
  return seen;
}

describe('Commands: hostile chat input', () => {
  it('numbers: -0 is 0; 1e400, 0x10, NaN, Infinity and integers past 2^53 are bad arguments', async () => {
    const v = (await parse({ n: arg.integer() }, '-0')) as { n: number };
    expect(Object.is(v.n, 0)).toBe(true);
    const d = (await parse({ n: arg.number() }, '-0.0')) as { n: number };
    expect(Object.is(d.n, 0)).toBe(true);
    for (const bad of ['1e400', '0x10', 'NaN', 'Infinity', '-Infinity', '9007199254740993', '.', '+', '1e']) {
      const kind = bad === '9007199254740993' ? arg.integer() : arg.number();
      expect(await parse({ n: kind }, bad), bad).toBeInstanceOf(CommandArgumentError);
    }
    expect(await parse({ n: arg.number() }, '1.5e3')).toEqual({ n: 1500 });
    expect(await parse({ n: arg.number() }, '.5')).toEqual({ n: 0.5 });
  });

  it('numbers: a word of 300,000 digits and a bad character is rejected (no backtracking scan)', async () => {
    // The old DECIMAL regex backtracked quadratically on digits followed by a bad character: on this word that is
    // ~4.5 × 10^10 steps, far past the test's timeout, where a linear scan takes milliseconds. Nothing is timed here: a
    // quadratic scan fails the test by outlasting its timeout (about two minutes of CPU on this machine).
    const word = `${'1'.repeat(300_000)}x`;
    expect(await parse({ n: arg.number() }, word)).toMatchObject({ code: 'COMMAND_BAD_ARGUMENT' });
    expect(await parse({ n: arg.integer() }, word)).toMatchObject({ code: 'COMMAND_BAD_ARGUMENT' });
  });

  it('whitespace: NBSP, ideographic, thin, narrow and other Unicode spaces separate words', async () => {
    for (const sp of ['\u00a0', '\u3000', '\u2009', '\u202f', '\u2007', '\u205f', '\u1680', '\u2028']) {
      expect(await parse({ a: arg.string(), b: arg.integer() }, `x${sp}42`), JSON.stringify(sp)).toEqual({
        a: 'x',
        b: 42,
      });
    }
  });

  it('the invisible tag Chatterino and 7TV append to resend a message (U+E0000) does not break strict parsing', async () => {
    expect(await parse({ n: arg.integer() }, '20 \u{E0000}')).toEqual({ n: 20 });
    expect(await parse({ n: arg.integer() }, '20\u{E0000}')).toEqual({ n: 20 });
    // A surrogate pair that is not the tag stays part of the word.
    expect(await parse({ a: arg.string() }, 'a\u{1F600}b')).toEqual({ a: 'a\u{1F600}b' });
  });

  it('a mention followed by punctuation is still that user', async () => {
    const alice = { id: '501', login: 'alice', displayName: 'Alice' };
    let seen: unknown = null;
    const commands = new Commands({ prefix: '!', onError: () => undefined }).add(
      command({
        name: 'so',
        args: { who: arg.user() },
        run: (ctx) => {
          seen = ctx.args.who;
        },
      }),
    );
    for (const text of ['!so @Alice,', '!so @Alice!', '!so @Alice.']) {
      seen = null;
      const r = await commands.dispatch(chat(text, { mentions: [alice] }), new RecordingActions());
      expect(r.status, text).toBe('ran');
      expect(seen).toEqual(alice);
    }
  });

  it('user-facing errors never ping a user, never split a surrogate pair, and show no bidi or invisible characters', async () => {
    const e = (await parse({ n: arg.integer() }, '@VIEWER_two')) as CommandError;
    expect(e).toBeInstanceOf(CommandArgumentError);
    expect(e.userMessage).not.toMatch(/@\w/);
    expect(e.userMessage).toContain('VIEWER_two');
    const nf = await new Commands({ prefix: '!', onError: () => undefined }).dispatch(
      chat('!@someone'),
      new RecordingActions(),
    );
    expect(nf.status).toBe('error');
    if (nf.status === 'error') {
      expect(nf.error).toBeInstanceOf(CommandNotFoundError);
      expect(nf.error.userMessage).not.toMatch(/@\w/);
    }
    // 49 code units then an emoji: the old cut left a lone high surrogate.
    const long = `${'a'.repeat(48)}\u{1F600}${'b'.repeat(20)}`;
    const c = (await parse({ n: arg.integer() }, long)) as CommandError;
    expect(c.userMessage).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    const bidi = (await parse({ n: arg.integer() }, 'x\u202ey\u200bz')) as CommandError;
    expect(bidi.userMessage).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u200b-\u200f]/);
    // Bounded, whatever was typed.
    const huge = (await parse({ n: arg.integer() }, 'q'.repeat(490))) as CommandError;
    expect(huge.userMessage.length).toBeLessThan(120);
    expect(VIEWER.login).not.toBe('');
  });

  it('thousands of arguments: extra words are one bad argument, quotes unbalanced or nested are typed errors', async () => {
    const many = Array.from({ length: 5000 }, (_, i) => String(i)).join(' ');
    expect(await parse({ n: arg.integer() }, many)).toBeInstanceOf(CommandArgumentError);
    expect(await parse({ s: arg.string() }, '"unclosed')).toBeInstanceOf(CommandArgumentError);
    expect(await parse({ s: arg.string(), t: arg.rest() }, '"a "b" c"')).toEqual({ s: 'a ', t: 'b" c"' });
    expect(await parse({ b: arg.boolean() }, 'TrUe')).toEqual({ b: true });
  });

  it('guards: the broadcaster is the channel by id; a broadcaster badge on someone else (a shared chat source channel’s broadcaster) is not', async () => {
    const other = { id: '7777', login: 'otherstreamer', displayName: 'OtherStreamer' };
    const commands = new Commands({ prefix: '!', onError: () => undefined, sharedChat: 'accept' }).add(
      command({ name: 'reset', guards: [guards.broadcaster], run: () => undefined }),
    );
    const r = await commands.dispatch(
      chat('!reset', { chatter: other, badges: ['broadcaster'], source: other }),
      new RecordingActions(),
    );
    expect(r.status).toBe('error');
    if (r.status === 'error') expect(r.error.code).toBe('COMMAND_GUARD_FAILED');
    // A moderator who is also a VIP passes both guards; the channel's own broadcaster passes without a badge.
    const both = await commands.dispatch(
      chat('!reset', { chatter: { id: '1000', login: 'streamer', displayName: 'Streamer' } }),
      new RecordingActions(),
    );
    expect(both.status).toBe('ran');
  });

  it('groups: a subcommand name or alias used twice (in any case) is refused at definition, not silently shadowed', () => {
    const sub = (name: string, aliases: string[] = []): ReturnType<typeof command> =>
      command({ name, aliases, run: () => undefined });
    expect(() => group({ name: 'mod', commands: [sub('ban'), sub('block', ['BAN'])] })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'commands[1]' }) as Error,
    );
    expect(() => group({ name: 'mod', commands: [sub('ban', ['b']), sub('b')] })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'commands[1]' }) as Error,
    );
    expect(
      group({ name: 'mod', commands: [sub('ban', ['b']), sub('unban', ['ub'])] }).subcommands,
    ).toHaveLength(2);
  });

  it('cooldowns: an invocation in flight when its module is removed leaves no cooldown state behind', async () => {
    let release: (ok: boolean) => void = () => undefined;
    const slow = guard('slow', () => new Promise<boolean>((resolve) => (release = resolve)));
    const hug = command({
      name: 'hug',
      guards: [slow],
      cooldown: cooldowns.tokenBucket({ per: 'chatter', rate: 1, perMs: 60_000 }),
      run: () => undefined,
    });
    const fun = commandModule({ name: 'fun', commands: [hug] });
    const commands = new Commands({ prefix: '!', onError: () => undefined }).addModule(fun);
    const pending = commands.dispatch(chat('!hug'), new RecordingActions());
    expect(commands.removeModule('fun')).toBe(true);
    release(true);
    await pending;
    // The removed command's table must not be recreated (a leak per hot reload, and state surviving removal).
    expect(commands.cooldownKeys(hug)).toBe(0);
    commands.addModule(fun);
    const again = commands.dispatch(chat('!hug'), new RecordingActions());
    release(true);
    expect(await again).toMatchObject({ status: 'ran' });
  });
});
