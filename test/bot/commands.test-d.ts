import { describe, expectTypeOf, it } from 'vitest';
import {
  Commands,
  arg,
  command,
  commandModule,
  cooldowns,
  group,
  guard,
  guards,
  type CommandContext,
} from '../../src/bot/index.js';
import type { UserRef } from '../../src/catalogue/index.js';

describe('command framework types', () => {
  it('a handler sees its parsed argument types', () => {
    command({
      name: 'dice',
      args: {
        sides: arg.integer({ min: 2 }).default(6),
        label: arg.string().optional(),
        loud: arg.boolean(),
        who: arg.user(),
        colour: arg.choice(['red', 'blue']),
        hex: arg.custom({ expected: 'a colour', convert: (raw) => Number.parseInt(raw, 16) }),
        rest: arg.rest(),
      },
      run: (ctx) => {
        expectTypeOf(ctx.args.sides).toEqualTypeOf<number>();
        expectTypeOf(ctx.args.label).toEqualTypeOf<string | undefined>();
        expectTypeOf(ctx.args.loud).toEqualTypeOf<boolean>();
        expectTypeOf(ctx.args.who).toEqualTypeOf<UserRef>();
        expectTypeOf(ctx.args.colour).toEqualTypeOf<'red' | 'blue'>();
        expectTypeOf(ctx.args.hex).toEqualTypeOf<number>();
        expectTypeOf(ctx.args.rest).toEqualTypeOf<string>();
        // @ts-expect-error -- an integer is no string
        ctx.args.sides.toUpperCase();
        // @ts-expect-error -- no such argument
        const _missing = ctx.args.missing;
      },
    });
  });

  it('a command without arguments has none', () => {
    command({
      name: 'ping',
      run: (ctx) => {
        // @ts-expect-error -- no arguments were declared
        const _anything = ctx.args.anything;
      },
    });
  });

  it('a converter of the wrong type does not compile', () => {
    // @ts-expect-error -- the default of an integer must be a number
    arg.integer().default('six');
    arg.custom<number>({
      expected: 'a number',
      // @ts-expect-error -- the converter must return the declared type
      convert: (raw) => raw,
    });
    command({
      name: 'x',
      // @ts-expect-error -- args are built with arg.*(), not bare converters
      args: { n: (raw: string) => Number(raw) },
      run: () => undefined,
    });
  });

  it('a guard of the wrong type does not compile', () => {
    command({ name: 'a', guards: [guards.moderator, (ctx) => ctx.chatter.roles.vip], run: () => undefined });
    command({
      name: 'b',
      guards: [guard('regular', async () => Promise.resolve(true))],
      run: () => undefined,
    });
    // @ts-expect-error -- a guard returns a boolean
    command({ name: 'c', guards: [() => 'yes'], run: () => undefined });
    // @ts-expect-error -- a guard takes the context, not a string
    command({ name: 'd', guards: [(id: string) => id === '1'], run: () => undefined });
    // @ts-expect-error -- a guard's predicate returns a boolean
    guard('bad', () => 1);
  });

  it('cooldowns, groups, modules and the dispatcher are typed', () => {
    // @ts-expect-error -- per is 'chatter', 'channel' or 'global'
    cooldowns.gcra({ per: 'user', rate: 1, perMs: 1000 });
    const mod = group({ name: 'mod', commands: [command({ name: 'ban', run: () => undefined })] });
    const m = commandModule({ name: 'fun', commands: [mod] });
    const commands = new Commands({ prefix: (channelId) => (channelId === '1' ? '!' : ['?', '$']) });
    commands.addModule(m);
    expectTypeOf<Commands['dispatch']>().returns.resolves.toHaveProperty('status');
    expectTypeOf<CommandContext['reply']>().returns.resolves.toHaveProperty('isSent');
  });
});
