/**
 * The command framework's bullets of issue 17: argument conversion, guards, cooldowns (fake clock), groups, modules
 * added and removed at runtime, reward commands, shared chat, hooks and the error-handler chain, help text.
 */
import { describe, expect, it } from 'vitest';
import {
  Commands,
  arg,
  command,
  commandModule,
  cooldowns,
  group,
  guard,
  guards,
  type ArgsShape,
  type CommandError,
  type UserResolver,
} from '../../src/bot/index.js';
import { FakeClock } from '../support/clock.js';
import { CHANNEL, RecordingActions, VIEWER, chat, redemption } from './commands-support.js';

/** A dispatcher whose unhandled errors are collected. */
function setup(options: Partial<ConstructorParameters<typeof Commands>[0]> = {}): {
  commands: Commands;
  errors: CommandError[];
  actions: RecordingActions;
} {
  const errors: CommandError[] = [];
  const commands = new Commands({ prefix: '!', onUnhandledError: (e) => errors.push(e), ...options });
  return { commands, errors, actions: new RecordingActions() };
}

describe('arguments', () => {
  async function parse(args: ArgsShape, line: string, users?: UserResolver): Promise<unknown> {
    let seen: unknown;
    const { commands, errors, actions } = setup(users === undefined ? {} : { users });
    commands.add(command({ name: 't', args, run: (ctx) => void (seen = ctx.args) }));
    const mentioned = { id: '77', login: 'friend', displayName: 'Friend' };
    await commands.dispatch(chat(`!t${line}`, { mentions: [mentioned] }), actions);
    return errors[0] ?? seen;
  }

  it('converts integers and numbers within bounds, and refuses the rest naming the argument', async () => {
    expect(await parse({ n: arg.integer({ min: -5, max: 5 }) }, ' -3')).toEqual({ n: -3 });
    expect(await parse({ n: arg.integer() }, ' +4')).toEqual({ n: 4 });
    for (const bad of ['1.5', '0x10', '1e3', '6', 'abc', '99999999999999999999']) {
      expect(await parse({ n: arg.integer({ min: -5, max: 5 }) }, ` ${bad}`)).toMatchObject({
        code: 'COMMAND_BAD_ARGUMENT',
        argument: 'n',
        expected: 'a whole number from -5 to 5',
        received: bad,
      });
    }
    expect(await parse({ x: arg.number({ min: 0 }) }, ' 1.5')).toEqual({ x: 1.5 });
    expect(await parse({ x: arg.number() }, ' 1e3')).toEqual({ x: 1000 });
    expect(await parse({ x: arg.number({ min: 0 }) }, ' -1')).toMatchObject({
      expected: 'a number of at least 0',
    });
    for (const bad of ['NaN', 'Infinity', '1e400', '--1']) {
      expect(await parse({ x: arg.number() }, ` ${bad}`)).toMatchObject({ code: 'COMMAND_BAD_ARGUMENT' });
    }
  });

  it('reads booleans from yes/no/on/off/true/false/1/0 in any case', async () => {
    for (const [word, value] of [
      ['yes', true],
      ['ON', true],
      ['True', true],
      ['1', true],
      ['no', false],
      ['off', false],
      ['FALSE', false],
      ['0', false],
    ] as const) {
      expect(await parse({ b: arg.boolean() }, ` ${word}`)).toEqual({ b: value });
    }
    expect(await parse({ b: arg.boolean() }, ' maybe')).toMatchObject({
      userMessage: 'b: expected yes or no, got "maybe"',
    });
  });

  it('reads "quoted strings" (straight or curly), the rest of the line, optional and default values', async () => {
    const args = {
      title: arg.string(),
      n: arg.integer().default(3),
      note: arg.rest().optional(),
    };
    expect(await parse(args, ' "two words" 5  and   the rest  ')).toEqual({
      title: 'two words',
      n: 5,
      note: 'and   the rest',
    });
    expect(await parse(args, ' \u201ccurly quoted\u201d')).toEqual({
      title: 'curly quoted',
      n: 3,
      note: undefined,
    });
    expect(await parse(args, ' "unclosed quote')).toMatchObject({
      code: 'COMMAND_BAD_ARGUMENT',
      argument: 'title',
      expected: 'a word with a closing quote',
    });
    expect(await parse({ a: arg.string() }, ' one two')).toEqual({ a: 'one' }); // extra words ignored by default
  });

  it('refuses extra words in a strict command', async () => {
    const { commands, errors, actions } = setup();
    commands.add(command({ name: 's', strict: true, args: { a: arg.string() }, run: () => undefined }));
    await commands.dispatch(chat('!s one two'), actions);
    expect(errors[0]).toMatchObject({
      argument: null,
      expected: 'nothing after the last argument',
      received: 'two',
    });
  });

  it('resolves a user from a mention without a lookup, else through the resolver; unknown is a bad argument', async () => {
    const looked: string[] = [];
    const users: UserResolver = {
      resolveLogin: (login) => {
        looked.push(login);
        return Promise.resolve(login === 'someone' ? { id: '5', login, displayName: 'Someone' } : null);
      },
    };
    expect(await parse({ u: arg.user() }, ' @Friend', users)).toEqual({
      u: { id: '77', login: 'friend', displayName: 'Friend' },
    });
    expect(await parse({ u: arg.user() }, ' SomeOne', users)).toEqual({
      u: { id: '5', login: 'someone', displayName: 'Someone' },
    });
    expect(await parse({ u: arg.user() }, ' @nobody', users)).toMatchObject({
      code: 'COMMAND_BAD_ARGUMENT',
      argument: 'u',
      expected: 'a user (@login)',
    });
    expect(await parse({ u: arg.user() }, ' not-a-login!', users)).toMatchObject({
      code: 'COMMAND_BAD_ARGUMENT',
    });
    expect(looked).toEqual(['someone', 'nobody']);
    const down: UserResolver = { resolveLogin: () => Promise.reject(new Error('helix down')) };
    expect(await parse({ u: arg.user() }, ' someone', down)).toMatchObject({
      code: 'COMMAND_FAILED',
      phase: 'arguments',
    });
  });

  it('runs custom converters (sync or async); what they throw is the cause of a bad argument', async () => {
    const hex = arg.custom({
      expected: 'a colour like #ff0000',
      convert: (raw) => {
        if (!/^#[0-9a-f]{6}$/i.test(raw)) throw new Error('not hex');
        return Number.parseInt(raw.slice(1), 16);
      },
    });
    const slow = arg.custom({ expected: 'anything', convert: async (raw) => Promise.resolve(raw.length) });
    expect(await parse({ c: hex, l: slow }, ' #00ff00 four')).toEqual({ c: 0x00ff00, l: 4 });
    const error = (await parse({ c: hex }, ' red')) as CommandError;
    expect(error).toMatchObject({ argument: 'c', expected: 'a colour like #ff0000', received: 'red' });
    expect((error.cause as Error).message).toBe('not hex');
    expect(await parse({ c: arg.choice(['red', 'blue']) }, ' BLUE')).toEqual({ c: 'blue' });
  });

  it('refuses definitions that could not work, at definition time', () => {
    expect(() =>
      command({ name: 'x', args: { a: arg.rest(), b: arg.string() }, run: () => undefined }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'args.a' }));
    expect(() => command({ name: 'x', args: { 1: arg.string() }, run: () => undefined })).toThrow(
      expect.objectContaining({ field: 'args.1' }),
    );
    expect(() => arg.integer({ min: 5, max: 1 })).toThrow(expect.objectContaining({ field: 'min' }));
    expect(() => command({ name: 'two words', run: () => undefined })).toThrow(
      expect.objectContaining({ field: 'name' }),
    );
  });
});

describe('guards', () => {
  const cases = [
    ['broadcaster', guards.broadcaster, ['broadcaster'], ['moderator']],
    ['moderator', guards.moderator, ['moderator'], ['vip']],
    ['vip', guards.vip, ['vip'], ['subscriber']],
    ['subscriber', guards.subscriber, ['founder'], ['vip']],
    ['staff', guards.staff, ['staff'], ['moderator']],
  ] as const;

  for (const [name, g, pass, fail] of cases) {
    it(`${name}: passes with ${pass.join()}, refuses with ${fail.join()} (COMMAND_GUARD_FAILED naming it)`, async () => {
      const { commands, errors, actions } = setup();
      let ran = 0;
      commands.add(
        command({
          name: 'g',
          guards: [g],
          run: () => {
            ran++;
          },
        }),
      );
      // The broadcaster is known by id (the channel itself chatting), not by a badge anyone in shared chat may carry.
      const passing = name === 'broadcaster' ? { badges: pass, chatter: CHANNEL } : { badges: pass };
      expect(await commands.dispatch(chat('!g', passing), actions)).toMatchObject({ status: 'ran' });
      expect(await commands.dispatch(chat('!g', { badges: fail }), actions)).toMatchObject({
        status: 'error',
      });
      expect(ran).toBe(1);
      expect(errors[0]).toMatchObject({ code: 'COMMAND_GUARD_FAILED', guard: name });
    });
  }

  it('the broadcaster passes moderator and vip guards; owner comes from ownerIds', async () => {
    const { commands, errors, actions } = setup({ ownerIds: [VIEWER.id] });
    commands.add(
      command({ name: 'm', guards: [guards.moderator, guards.vip], run: () => undefined }),
      command({ name: 'o', guards: [guards.owner], run: () => undefined }),
    );
    expect(await commands.dispatch(chat('!m', { chatter: CHANNEL }), actions)).toMatchObject({
      status: 'ran',
    });
    expect(await commands.dispatch(chat('!o'), actions)).toMatchObject({ status: 'ran' });
    const other = { id: '6', login: 'other', displayName: 'Other' };
    await commands.dispatch(chat('!o', { chatter: other, badges: ['broadcaster'] }), actions);
    expect(errors.map((e) => e.code)).toEqual(['COMMAND_GUARD_FAILED']);
  });

  it('takes custom predicates, sync or async, named or bare; a throwing guard is COMMAND_FAILED', async () => {
    const { commands, errors, actions } = setup();
    const regulars = guard('regular', async (ctx) => Promise.resolve(ctx.chatter.login === 'viewer'));
    commands.add(
      command({ name: 'a', guards: [regulars], run: () => undefined }),
      command({
        name: 'b',
        guards: [
          function evenSeconds() {
            return false;
          },
        ],
        run: () => undefined,
      }),
      command({ name: 'c', guards: [guards.any(guards.moderator, regulars)], run: () => undefined }),
      command({
        name: 'd',
        guards: [
          () => {
            throw new Error('db');
          },
        ],
        run: () => undefined,
      }),
    );
    expect(await commands.dispatch(chat('!a'), actions)).toMatchObject({ status: 'ran' });
    expect(await commands.dispatch(chat('!c'), actions)).toMatchObject({ status: 'ran' });
    await commands.dispatch(chat('!b'), actions);
    await commands.dispatch(chat('!d'), actions);
    expect(errors[0]).toMatchObject({ code: 'COMMAND_GUARD_FAILED', guard: 'evenSeconds' });
    expect(errors[1]).toMatchObject({ code: 'COMMAND_FAILED', phase: 'guard' });
  });

  it('reads badges of the channel the command runs in, not a shared-chat source’s', async () => {
    const { commands, errors, actions } = setup({ sharedChat: 'accept' });
    commands.add(command({ name: 'm', guards: [guards.moderator], run: () => undefined }));
    const other = { id: '9', login: 'otherchannel', displayName: 'OtherChannel' };
    // A chatter without badges here (even if a moderator there) is refused.
    await commands.dispatch(chat('!m', { source: other }), actions);
    expect(errors[0]?.code).toBe('COMMAND_GUARD_FAILED');
  });
});

describe('cooldowns (fake clock)', () => {
  it('token bucket per chatter: burst, then COMMAND_ON_COOLDOWN with retry-after; refills; other chatters unaffected', async () => {
    const clock = new FakeClock();
    const { commands, errors, actions } = setup({ clock });
    commands.add(
      command({
        name: 'd',
        cooldown: cooldowns.tokenBucket({ per: 'chatter', rate: 1, perMs: 10_000, burst: 2 }),
        run: () => undefined,
      }),
    );
    const other = { id: '8', login: 'other', displayName: 'Other' };
    expect((await commands.dispatch(chat('!d'), actions)).status).toBe('ran');
    expect((await commands.dispatch(chat('!d'), actions)).status).toBe('ran');
    expect((await commands.dispatch(chat('!d'), actions)).status).toBe('error');
    expect(errors[0]).toMatchObject({ code: 'COMMAND_ON_COOLDOWN', scope: 'chatter', retryAfterMs: 10_000 });
    expect((await commands.dispatch(chat('!d', { chatter: other }), actions)).status).toBe('ran');
    clock.advance(4_000);
    await commands.dispatch(chat('!d'), actions);
    expect(errors[1]).toMatchObject({ retryAfterMs: 6_000 });
    clock.advance(6_000);
    expect((await commands.dispatch(chat('!d'), actions)).status).toBe('ran');
    expect(clock.pending).toBe(0); // no timers: state is computed from the clock
  });

  it('GCRA per channel: spaced invocations pass, a burst past its tolerance waits exactly', async () => {
    const clock = new FakeClock();
    const { commands, errors, actions } = setup({ clock });
    commands.add(
      command({
        name: 'h',
        cooldown: cooldowns.gcra({ per: 'channel', rate: 2, perMs: 10_000, burst: 2 }),
        run: () => undefined,
      }),
    );
    const other = { id: '8', login: 'other', displayName: 'Other' };
    expect((await commands.dispatch(chat('!h'), actions)).status).toBe('ran');
    expect((await commands.dispatch(chat('!h', { chatter: other }), actions)).status).toBe('ran');
    expect((await commands.dispatch(chat('!h'), actions)).status).toBe('error');
    expect(errors[0]).toMatchObject({ code: 'COMMAND_ON_COOLDOWN', scope: 'channel', retryAfterMs: 5_000 });
    const elsewhere = { id: '55', login: 'elsewhere', displayName: 'Elsewhere' };
    expect((await commands.dispatch(chat('!h', { channel: elsewhere }), actions)).status).toBe('ran');
    clock.advance(5_000);
    expect((await commands.dispatch(chat('!h'), actions)).status).toBe('ran');
    expect((await commands.dispatch(chat('!h'), actions)).status).toBe('error');
  });

  it('global: one budget for every channel and chatter', async () => {
    const clock = new FakeClock();
    const { commands, actions } = setup({ clock });
    commands.add(
      command({
        name: 'g',
        cooldown: cooldowns.tokenBucket({ per: 'global', rate: 1, perMs: 1_000 }),
        run: () => undefined,
      }),
    );
    const elsewhere = { id: '55', login: 'elsewhere', displayName: 'Elsewhere' };
    expect((await commands.dispatch(chat('!g'), actions)).status).toBe('ran');
    expect((await commands.dispatch(chat('!g', { channel: elsewhere }), actions)).status).toBe('error');
  });

  it('a bad argument gives its token back; a guard refusal takes none', async () => {
    const clock = new FakeClock();
    const { commands, errors, actions } = setup({ clock });
    commands.add(
      command({
        name: 'n',
        args: { n: arg.integer() },
        cooldown: cooldowns.gcra({ per: 'chatter', rate: 1, perMs: 60_000, burst: 1 }),
        run: () => undefined,
      }),
    );
    await commands.dispatch(chat('!n x'), actions);
    expect(errors[0]?.code).toBe('COMMAND_BAD_ARGUMENT');
    expect((await commands.dispatch(chat('!n 1'), actions)).status).toBe('ran');
    expect((await commands.dispatch(chat('!n 1'), actions)).status).toBe('error');
  });

  it('bounded memory: keys back to full are forgotten first, then the least recently used', async () => {
    const clock = new FakeClock();
    const { commands, actions } = setup({ clock, maxCooldownKeys: 10 });
    const dice = command({
      name: 'd',
      cooldown: cooldowns.tokenBucket({ per: 'chatter', rate: 1, perMs: 1_000 }),
      run: () => undefined,
    });
    commands.add(dice);
    const user = (i: number): { id: string; login: string; displayName: string } => ({
      id: `u${i}`,
      login: `u${i}`,
      displayName: `U${i}`,
    });
    for (let i = 0; i < 10; i++) await commands.dispatch(chat('!d', { chatter: user(i) }), actions);
    expect(commands.cooldownKeys(dice)).toBe(10);
    clock.advance(1_000); // every bucket is full again: idle keys
    await commands.dispatch(chat('!d', { chatter: user(10) }), actions);
    expect(commands.cooldownKeys(dice)).toBe(1);
    for (let i = 11; i < 100; i++) await commands.dispatch(chat('!d', { chatter: user(i) }), actions);
    expect(commands.cooldownKeys(dice)).toBeLessThanOrEqual(10);
  });
});

describe('groups', () => {
  it('dispatches subcommands by name or alias, with the group’s guards first; nested groups work', async () => {
    const { commands, errors, actions } = setup();
    const ran: string[] = [];
    commands.add(
      group({
        name: 'mod',
        guards: [guards.moderator],
        commands: [
          command({
            name: 'ban',
            aliases: ['b'],
            args: { who: arg.string() },
            run: (ctx) => void ran.push(`ban ${ctx.args.who}`),
          }),
          group({
            name: 'filter',
            commands: [
              command({
                name: 'add',
                args: { word: arg.rest() },
                run: (ctx) => void ran.push(`add ${ctx.args.word}`),
              }),
            ],
          }),
        ],
      }),
    );
    const mod = { badges: ['moderator'] };
    expect(await commands.dispatch(chat('!mod ban troll', mod), actions)).toEqual({
      status: 'ran',
      command: 'mod ban',
    });
    expect(await commands.dispatch(chat('!MOD B troll2', mod), actions)).toEqual({
      status: 'ran',
      command: 'mod ban',
    });
    expect(await commands.dispatch(chat('!mod filter add bad words', mod), actions)).toEqual({
      status: 'ran',
      command: 'mod filter add',
    });
    expect(ran).toEqual(['ban troll', 'ban troll2', 'add bad words']);
    await commands.dispatch(chat('!mod ban troll'), actions); // not a moderator
    const nope = await commands.dispatch(chat('!mod nope', mod), actions);
    expect(nope.status === 'error' && nope.error.userMessage).toBe('unknown subcommand "mod nope"');
    await commands.dispatch(chat('!mod', mod), actions);
    // COMMAND_NOT_FOUND is only in the result, never an unhandled error.
    expect(errors.map((e) => e.code)).toEqual(['COMMAND_GUARD_FAILED', 'COMMAND_BAD_ARGUMENT']);
    expect(errors[1]?.userMessage).toBe('subcommand: expected one of ban, filter, got nothing');
  });

  it('a group with a handler runs it when no subcommand is named', async () => {
    const { commands, actions } = setup();
    const lines: string[] = [];
    commands.add(
      group({
        name: 'quote',
        commands: [command({ name: 'add', run: () => undefined })],
        run: (ctx) => void lines.push(ctx.argumentText),
      }),
    );
    expect(await commands.dispatch(chat('!quote 42'), actions)).toEqual({ status: 'ran', command: 'quote' });
    expect(lines).toEqual(['42']);
  });

  it('generates help from the definitions', () => {
    const { commands } = setup();
    commands.add(
      command({
        name: 'dice',
        aliases: ['roll'],
        description: 'Rolls a die',
        args: { sides: arg.integer().default(6) },
        run: () => undefined,
      }),
      group({
        name: 'mod',
        description: 'Moderation',
        commands: [
          command({
            name: 'ban',
            description: 'Bans',
            args: { who: arg.user(), why: arg.rest().optional() },
            run: () => undefined,
          }),
        ],
      }),
    );
    expect(commands.help()).toEqual(['!dice [sides] (roll): Rolls a die', '!mod <ban>: Moderation']);
    expect(commands.help('mod')).toEqual(['!mod <ban>: Moderation', '!mod ban <who> [why...]: Bans']);
    expect(commands.help('mod ban')).toEqual(['!mod ban <who> [why...]: Bans']);
    expect(commands.help('nothing')).toBeUndefined();
  });
});

describe('modules at runtime', () => {
  it('adding and removing a module adds and removes its commands, listeners, hooks and cooldown state; re-adding a changed one works', async () => {
    const clock = new FakeClock();
    const { commands, errors, actions } = setup({ clock });
    const events: string[] = [];
    const v1 = command({
      name: 'hug',
      cooldown: cooldowns.tokenBucket({ per: 'chatter', rate: 1, perMs: 60_000 }),
      run: () => void events.push('hug v1'),
    });
    const fun = commandModule({
      name: 'fun',
      commands: [v1],
      before: () => void events.push('before'),
      onMessage: (event) => void events.push(`saw ${event.message.text}`),
    });
    commands.addModule(fun);
    expect(commands.modules).toEqual(['fun']);
    await commands.dispatch(chat('!hug'), actions);
    expect(commands.cooldownKeys(v1)).toBe(1);
    await commands.dispatch(chat('!hug'), actions);
    expect(errors[0]?.code).toBe('COMMAND_ON_COOLDOWN');
    expect(() => commands.addModule(fun)).toThrow(expect.objectContaining({ field: 'module.name' }));
    expect(() => commands.remove('hug')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));

    expect(commands.removeModule('fun')).toBe(true);
    expect(commands.cooldownKeys(v1)).toBe(0);
    expect(commands.get('hug')).toBeUndefined();
    events.length = 0;
    const gone = await commands.dispatch(chat('!hug'), actions);
    expect(gone.status === 'error' && gone.error.code).toBe('COMMAND_NOT_FOUND');
    expect(events).toEqual([]); // no listener, no hook, no command
    expect(errors).toHaveLength(1); // the cooldown above; COMMAND_NOT_FOUND is not an unhandled error

    const v2 = command({ name: 'hug', run: () => void events.push('hug v2') });
    commands.addModule(commandModule({ name: 'fun', commands: [v2] }));
    expect(await commands.dispatch(chat('!hug'), actions)).toEqual({ status: 'ran', command: 'hug' });
    expect(events).toEqual(['hug v2']);
    expect(commands.removeModule('nope')).toBe(false);
  });

  it('a command removed and added again starts with a fresh cooldown (no state kept for the removed one)', async () => {
    const { commands, errors, actions } = setup({ clock: new FakeClock() });
    const hug = command({
      name: 'hug',
      cooldown: cooldowns.gcra({ per: 'chatter', rate: 1, perMs: 60_000 }),
      run: () => undefined,
    });
    commands.add(hug);
    expect(await commands.dispatch(chat('!hug'), actions)).toEqual({ status: 'ran', command: 'hug' });
    await commands.dispatch(chat('!hug'), actions);
    expect(errors.map((e) => e.code)).toEqual(['COMMAND_ON_COOLDOWN']);
    expect(commands.remove('hug')).toBe(true);
    commands.add(hug);
    expect(await commands.dispatch(chat('!hug'), actions)).toEqual({ status: 'ran', command: 'hug' });
    expect(errors).toHaveLength(1);
  });

  it('a module whose command name is taken is not added at all', () => {
    const { commands } = setup();
    commands.add(command({ name: 'x', run: () => undefined }));
    const m = commandModule({
      name: 'm',
      commands: [command({ name: 'y', run: () => undefined }), command({ name: 'X', run: () => undefined })],
    });
    expect(() => commands.addModule(m)).toThrow(expect.objectContaining({ field: 'module.commands[1]' }));
    expect(commands.modules).toEqual([]);
    expect(commands.get('y')).toBeUndefined();
  });

  it('a failing listener reaches the module’s error handler, and the command still runs', async () => {
    const { commands, actions } = setup();
    const seen: string[] = [];
    commands.addModule(
      commandModule({
        name: 'watch',
        commands: [command({ name: 'p', run: () => void seen.push('ran') })],
        onMessage: () => Promise.reject(new Error('listener broke')),
        onError: (error) => void seen.push(`${error.code} ${(error as { phase?: string }).phase ?? ''}`),
      }),
    );
    await commands.dispatch(chat('!p'), actions);
    await Promise.resolve();
    expect(seen.sort()).toEqual(['COMMAND_FAILED listener', 'ran']);
  });
});

describe('reward commands', () => {
  it('a redemption of a bound reward (by id or title) invokes the command with its input as the argument line', async () => {
    const { commands, errors, actions } = setup();
    const got: unknown[] = [];
    commands.add(
      command({
        name: 'color',
        args: { c: arg.choice(['red', 'blue']) },
        rewards: [{ id: 'reward-1' }, { title: 'Paint It' }],
        run: async (ctx) => {
          got.push([ctx.args.c, ctx.redemption?.reward.title, ctx.message, ctx.chatter.login]);
          await ctx.reply(`painted ${ctx.args.c}`);
        },
      }),
    );
    expect(
      await commands.dispatchRedemption(redemption({ id: 'reward-1', title: 'x' }, 'red'), actions),
    ).toEqual({
      status: 'ran',
      command: 'color',
    });
    await commands.dispatchRedemption(redemption({ id: 'other', title: 'paint it' }, 'BLUE'), actions);
    expect(got).toEqual([
      ['red', 'x', null, VIEWER.login],
      ['blue', 'paint it', null, VIEWER.login],
    ]);
    expect(actions.calls).toEqual([
      ['send', 'painted red'],
      ['send', 'painted blue'],
    ]); // no message to thread to: reply() sends
    expect(
      await commands.dispatchRedemption(redemption({ id: 'unbound', title: 'Hydrate' }, ''), actions),
    ).toEqual({
      status: 'ignored',
    });
    await commands.dispatchRedemption(redemption({ id: 'reward-1', title: 'x' }, 'green'), actions);
    expect(errors[0]).toMatchObject({ code: 'COMMAND_BAD_ARGUMENT', argument: 'c' });
  });

  it('badge guards refuse a redeemer (a redemption carries no badges); the broadcaster passes by id', async () => {
    const { commands, errors, actions } = setup();
    commands.add(
      command({ name: 'm', guards: [guards.moderator], rewards: [{ id: 'r' }], run: () => undefined }),
    );
    await commands.dispatchRedemption(redemption({ id: 'r', title: 't' }, ''), actions);
    expect(errors[0]?.code).toBe('COMMAND_GUARD_FAILED');
    expect(
      await commands.dispatchRedemption(redemption({ id: 'r', title: 't' }, '', CHANNEL), actions),
    ).toMatchObject({
      status: 'ran',
    });
  });
});

describe('shared chat', () => {
  const other = { id: '9', login: 'otherchannel', displayName: 'OtherChannel' };

  it('ignores messages typed in another channel of the session by default; a command or module may accept them', async () => {
    const { commands, actions } = setup();
    const seen: unknown[] = [];
    commands.add(
      command({ name: 'a', run: () => void seen.push('a') }),
      command({
        name: 'b',
        sharedChat: 'accept',
        run: (ctx) => void seen.push(['b', ctx.sourceChannel?.login]),
      }),
    );
    commands.addModule(
      commandModule({
        name: 'm',
        sharedChat: 'accept',
        commands: [command({ name: 'c', run: () => void seen.push('c') })],
      }),
    );
    expect(await commands.dispatch(chat('!a', { source: other }), actions)).toEqual({ status: 'ignored' });
    expect(await commands.dispatch(chat('!b', { source: other }), actions)).toMatchObject({ status: 'ran' });
    expect(await commands.dispatch(chat('!c', { source: other }), actions)).toMatchObject({ status: 'ran' });
    expect(await commands.dispatch(chat('!zzz', { source: other }), actions)).toEqual({ status: 'ignored' });
    // A message of this channel's own chat during a session has itself as source: not "shared".
    expect(await commands.dispatch(chat('!a', { source: CHANNEL }), actions)).toMatchObject({
      status: 'ran',
    });
    expect(seen).toEqual([['b', 'otherchannel'], 'c', 'a']);
  });

  it('a dispatcher may accept them all and a command opt out', async () => {
    const { commands, actions } = setup({ sharedChat: 'accept' });
    commands.add(
      command({ name: 'a', sharedChat: 'ignore', run: () => undefined }),
      command({ name: 'b', run: () => undefined }),
    );
    expect(await commands.dispatch(chat('!a', { source: other }), actions)).toEqual({ status: 'ignored' });
    expect(await commands.dispatch(chat('!b', { source: other }), actions)).toMatchObject({ status: 'ran' });
  });
});

describe('hooks and error handlers', () => {
  it('runs before hooks outside-in and after hooks inside-out, around the handler', async () => {
    const order: string[] = [];
    const { commands, actions } = setup({
      before: () => void order.push('global before'),
      after: () => void order.push('global after'),
    });
    commands.addModule(
      commandModule({
        name: 'm',
        before: () => void order.push('module before'),
        after: () => void order.push('module after'),
        commands: [
          group({
            name: 'g',
            before: () => void order.push('group before'),
            after: () => void order.push('group after'),
            commands: [
              command({
                name: 'c',
                before: () => void order.push('command before'),
                after: () => void order.push('command after'),
                run: () => void order.push('run'),
              }),
            ],
          }),
        ],
      }),
    );
    await commands.dispatch(chat('!g c'), actions);
    expect(order).toEqual([
      'global before',
      'module before',
      'group before',
      'command before',
      'run',
      'command after',
      'group after',
      'module after',
      'global after',
    ]);
  });

  it('a throwing before hook stops the invocation (COMMAND_FAILED, phase before)', async () => {
    let ran = 0;
    const { commands, errors, actions } = setup({
      before: () => {
        throw new Error('maintenance');
      },
    });
    commands.add(
      command({
        name: 'c',
        run: () => {
          ran++;
        },
      }),
    );
    await commands.dispatch(chat('!c'), actions);
    expect(ran).toBe(0);
    expect(errors[0]).toMatchObject({ code: 'COMMAND_FAILED', phase: 'before' });
  });

  it('errors go to the command’s handler, then the group’s, the module’s and the global one, each passing it on by throwing', async () => {
    const trail: string[] = [];
    const { commands, errors, actions } = setup({
      onError: (e) => {
        trail.push(`global ${e.code}`);
      },
    });
    commands.addModule(
      commandModule({
        name: 'm',
        onError: (e) => {
          trail.push('module');
          throw e;
        },
        commands: [
          group({
            name: 'g',
            onError: (e) => {
              trail.push('group');
              throw e;
            },
            commands: [
              command({
                name: 'c',
                args: { n: arg.integer() },
                onError: (e) => {
                  trail.push('command');
                  throw e;
                },
                run: () => undefined,
              }),
              command({
                name: 'd',
                onError: () => void trail.push('handled by d'),
                run: () => Promise.reject(new Error('x')),
              }),
            ],
          }),
        ],
      }),
    );
    const r = await commands.dispatch(chat('!g c nope'), actions);
    expect(r).toMatchObject({ status: 'error', handled: true });
    expect(trail).toEqual(['command', 'group', 'module', 'global COMMAND_BAD_ARGUMENT']);
    trail.length = 0;
    expect(await commands.dispatch(chat('!g d'), actions)).toMatchObject({ status: 'error', handled: true });
    expect(trail).toEqual(['handled by d']);
    expect(errors).toEqual([]);
  });

  it('an error handler may reply with the user-facing message; unknown commands reach only the global handler', async () => {
    const { commands, actions } = setup({
      onError: async (e, ctx) => {
        if (e.code === 'COMMAND_NOT_FOUND') await ctx.reply(`${e.userMessage}, try !help`);
        else await ctx.reply(e.userMessage);
      },
    });
    commands.add(command({ name: 'dice', args: { sides: arg.integer({ min: 2 }) }, run: () => undefined }));
    const m = chat('!dice 1');
    await commands.dispatch(m, actions);
    const n = chat('!dcie');
    await commands.dispatch(n, actions);
    expect(actions.calls).toEqual([
      ['reply', m.messageId, 'sides: expected a whole number of at least 2, got "1"'],
      ['reply', n.messageId, 'unknown command "dcie", try !help'],
    ]);
  });
});
