import { describe, expect, it } from 'vitest';
import {
  Commands,
  CommandArgumentError,
  CommandFailedError,
  arg,
  command,
  type CommandError,
} from '../../src/bot/index.js';
import { BOT, CHANNEL, RecordingActions, VIEWER, chat } from './commands-support.js';

describe('Commands: registry and dispatch', () => {
  it('runs a command by name or alias, in any case, with its typed arguments and the prefix used', async () => {
    const seen: unknown[] = [];
    const commands = new Commands({ prefix: ['!', '?'] }).add(
      command({
        name: 'dice',
        aliases: ['roll'],
        args: { sides: arg.integer({ min: 2, max: 100 }), label: arg.string().optional() },
        run: (ctx) => {
          seen.push([ctx.prefix, ctx.invokedWith, ctx.args.sides, ctx.args.label, ctx.command.name]);
        },
      }),
    );
    const actions = new RecordingActions();
    expect(await commands.dispatch(chat('!dice 20 big'), actions)).toEqual({
      status: 'ran',
      command: 'dice',
    });
    expect(await commands.dispatch(chat('?ROLL 6'), actions)).toEqual({ status: 'ran', command: 'dice' });
    expect(seen).toEqual([
      ['!', 'dice', 20, 'big', 'dice'],
      ['?', 'ROLL', 6, undefined, 'dice'],
    ]);
  });

  it('is case-sensitive when asked', async () => {
    const commands = new Commands({ prefix: '!', caseInsensitive: false }).add(
      command({ name: 'ping', run: () => undefined }),
    );
    const r = await commands.dispatch(chat('!PING'), new RecordingActions());
    expect(r.status).toBe('error');
  });

  it('ignores messages without the prefix, the prefix alone, and the bot’s own messages, with one shared result', async () => {
    let ran = 0;
    const commands = new Commands({ prefix: '!', botId: BOT.id }).add(
      command({
        name: 'ping',
        run: () => {
          ran++;
        },
      }),
    );
    const actions = new RecordingActions();
    const a = commands.dispatch(chat('hello there'), actions);
    const b = commands.dispatch(chat('hi'), actions);
    expect(a).toBe(b); // no allocation per non-command message: one settled promise
    expect(await a).toEqual({ status: 'ignored' });
    expect(await commands.dispatch(chat('!'), actions)).toEqual({ status: 'ignored' });
    expect(await commands.dispatch(chat('! ping'), actions)).toEqual({ status: 'ignored' });
    expect(await commands.dispatch(chat('!ping', { chatter: BOT }), actions)).toEqual({ status: 'ignored' });
    expect(ran).toBe(0);
    expect(actions.calls).toEqual([]);
  });

  it('takes the longest matching prefix, and a per-channel prefix function (sync or async)', async () => {
    const names: string[] = [];
    const run = (ctx: { command: { name: string } }): void => {
      names.push(ctx.command.name);
    };
    const listed = new Commands({ prefix: ['!', '!!'] }).add(
      command({ name: 'x', run }),
      command({ name: '!x', run }),
    );
    await listed.dispatch(chat('!!x'), new RecordingActions());
    expect(names).toEqual(['x']);

    const perChannel = new Commands({
      prefix: async (channelId) => {
        await Promise.resolve();
        return channelId === CHANNEL.id ? ['$', '$$'] : '!';
      },
    }).add(command({ name: 'y', run }));
    expect(await perChannel.dispatch(chat('$y'), new RecordingActions())).toEqual({
      status: 'ran',
      command: 'y',
    });
    expect(await perChannel.dispatch(chat('!y'), new RecordingActions())).toEqual({ status: 'ignored' });
    const other = { id: '9', login: 'other', displayName: 'Other' };
    expect(await perChannel.dispatch(chat('!y', { channel: other }), new RecordingActions('9'))).toEqual({
      status: 'ran',
      command: 'y',
    });
    const failing = new Commands({
      prefix: () => {
        throw new Error('db down');
      },
      onUnhandledError: () => undefined,
    });
    const r = await failing.dispatch(chat('!y'), new RecordingActions());
    expect(r.status === 'error' && r.error.code).toBe('COMMAND_FAILED');
  });

  it('refuses a taken name or alias, and registers none of the batch', () => {
    const commands = new Commands({ prefix: '!' }).add(command({ name: 'dice', run: () => undefined }));
    expect(() =>
      commands.add(
        command({ name: 'ok', run: () => undefined }),
        command({ name: 'roll', aliases: ['DICE'], run: () => undefined }),
      ),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'commands[1]' }));
    expect(commands.get('ok')).toBeUndefined();
    expect(commands.commands.map((c) => c.name)).toEqual(['dice']);
    expect(commands.remove('dice')).toBe(true);
    expect(commands.remove('dice')).toBe(false);
  });

  it('reports a bad argument naming it, what it expects and what was typed, and runs nothing', async () => {
    const errors: CommandError[] = [];
    let ran = 0;
    const commands = new Commands({ prefix: '!', onUnhandledError: (e) => errors.push(e) }).add(
      command({
        name: 'dice',
        args: { sides: arg.integer({ min: 2, max: 100 }) },
        run: () => {
          ran++;
        },
      }),
    );
    const r = await commands.dispatch(chat('!dice x'), new RecordingActions());
    expect(r).toMatchObject({ status: 'error', handled: false });
    const error = errors[0];
    expect(error).toBeInstanceOf(CommandArgumentError);
    expect(error).toMatchObject({
      code: 'COMMAND_BAD_ARGUMENT',
      argument: 'sides',
      expected: 'a whole number from 2 to 100',
      received: 'x',
      userMessage: 'sides: expected a whole number from 2 to 100, got "x"',
    });
    await commands.dispatch(chat('!dice'), new RecordingActions());
    expect(errors[1]?.userMessage).toBe('sides: expected a whole number from 2 to 100, got nothing');
    expect(ran).toBe(0);
  });

  it('wraps what a handler throws as COMMAND_FAILED with its cause; a handler may throw a command error as is', async () => {
    const errors: CommandError[] = [];
    const boom = new Error('boom');
    const commands = new Commands({ prefix: '!', onUnhandledError: (e) => errors.push(e) }).add(
      command({
        name: 'crash',
        run: () => {
          throw boom;
        },
      }),
      command({
        name: 'strictly',
        run: async () => {
          await Promise.resolve();
          throw new CommandArgumentError({
            command: 'strictly',
            argument: 'x',
            expected: 'y',
            received: 'z',
          });
        },
      }),
    );
    await commands.dispatch(chat('!crash'), new RecordingActions());
    await commands.dispatch(chat('!strictly'), new RecordingActions());
    expect(errors[0]).toBeInstanceOf(CommandFailedError);
    expect(errors[0]).toMatchObject({ code: 'COMMAND_FAILED', phase: 'run', cause: boom, command: 'crash' });
    expect(errors[1]?.code).toBe('COMMAND_BAD_ARGUMENT');
  });

  it('rejects input that is not a chat message or actions with INVALID_ARGUMENT', async () => {
    const commands = new Commands({ prefix: '!' });
    await expect(commands.dispatch(null as never, new RecordingActions())).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'event',
    });
    await expect(commands.dispatch(chat('!x'), null as never)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'actions',
    });
    expect(() => new Commands({ prefix: '' })).toThrow(expect.objectContaining({ field: 'prefix' }));
    expect(() => new Commands({ prefix: 'a b' })).toThrow(expect.objectContaining({ field: 'prefix' }));
  });
});

describe('CommandContext over ChatActions', () => {
  it('reply() threads to the message; send, announce, delete, timeout, ban, shoutout and whisper delegate', async () => {
    const target = { id: '4000', login: 'troll', displayName: 'Troll' };
    const commands = new Commands({ prefix: '!' }).add(
      command({
        name: 'all',
        run: async (ctx) => {
          expect(ctx.channel).toEqual(CHANNEL);
          expect(ctx.chatter).toMatchObject({
            id: VIEWER.id,
            login: VIEWER.login,
            displayName: VIEWER.displayName,
          });
          expect(ctx.message?.message.text).toBe('!all the things');
          expect(ctx.argumentText).toBe('the things');
          expect(await ctx.reply('threaded')).toEqual({ isSent: true, messageId: 'out-1' });
          await ctx.send('plain');
          await ctx.announce('hear ye', 'purple');
          await ctx.deleteMessage();
          await ctx.timeout(60, { reason: 'spam' });
          await ctx.timeout(30, { user: target });
          await ctx.ban({ user: target.id, reason: 'troll' });
          await ctx.ban();
          await ctx.shoutout(target);
          await ctx.whisper('psst');
          await ctx.whisper('hey', target);
        },
      }),
    );
    const actions = new RecordingActions();
    const message = chat('!all the things');
    expect(await commands.dispatch(message, actions)).toEqual({ status: 'ran', command: 'all' });
    expect(actions.calls).toEqual([
      ['reply', message.messageId, 'threaded'],
      ['send', 'plain'],
      ['announce', 'hear ye', 'purple'],
      ['deleteMessage', message.messageId],
      ['timeout', VIEWER.id, 60, 'spam'],
      ['timeout', target.id, 30],
      ['ban', target.id, 'troll'],
      ['ban', VIEWER.id],
      ['shoutout', target.id],
      ['whisper', VIEWER.id, 'psst'],
      ['whisper', target.id, 'hey'],
    ]);
  });

  it('surfaces a dropped reply as Twitch answered it (isSent: false)', async () => {
    let answer: unknown;
    const commands = new Commands({ prefix: '!' }).add(
      command({
        name: 'hi',
        run: async (ctx) => {
          answer = await ctx.reply('hello');
        },
      }),
    );
    const actions = new RecordingActions();
    actions.drop = 'msg_duplicate';
    await commands.dispatch(chat('!hi'), actions);
    expect(answer).toEqual({
      isSent: false,
      messageId: null,
      dropReason: { code: 'msg_duplicate', message: 'msg_duplicate' },
    });
  });
});
