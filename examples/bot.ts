/**
 * A chat bot against the local emulator: an AutoBot with typed commands (an integer argument, a moderator guard, a
 * cooldown), a viewer who types them, and threaded replies. Run it with `npm run example examples/bot.ts` in this
 * repository, or copy it into a project that installed twitch-realtime and run `node --import tsx bot.ts`.
 */
import { RefreshingAuthProvider } from 'twitch-realtime/auth';
import { AutoBot, Commands, arg, command, cooldowns, guards } from 'twitch-realtime/bot';
import { Emulator } from 'twitch-realtime/emulator';

await using emu = await Emulator.start({ port: 0 }); // a local Twitch; drop it and use real credentials for Twitch
const botId = '4242';
// The bot account's user token (on Twitch: from the OAuth flow, with these scopes).
const token = emu.mintUserToken({
  userId: botId,
  login: 'mybot',
  scopes: ['user:bot', 'user:read:chat', 'user:write:chat'],
});
emu.mintUserToken({ userId: '1337', login: 'somechannel', scopes: ['channel:bot'] }); // the channel let the bot in

const { clientId, clientSecret, oauthUrl } = emu.clientOptions();
const auth = new RefreshingAuthProvider({ clientId, clientSecret, oauthUrl });
await auth.addUser({ accessToken: token.accessToken, refreshToken: token.refreshToken });

const commands = new Commands({
  prefix: '!',
  botId,
  // A failed invocation: tell the chatter why (a bad argument, a guard, a cooldown).
  onError: async (error, ctx) => {
    await ctx.reply(error.userMessage);
  },
});
commands.add(
  command({
    name: 'dice',
    args: { sides: arg.integer({ min: 2, max: 100 }).default(6) },
    cooldown: cooldowns.gcra({ per: 'chatter', rate: 1, perMs: 10_000 }),
    run: async (ctx) => {
      await ctx.reply(
        `rolled ${String(1 + Math.floor(Math.random() * ctx.args.sides))} (d${String(ctx.args.sides)})`,
      );
    },
  }),
  command({
    name: 'clear',
    guards: [guards.moderator],
    run: async (ctx) => {
      await ctx.send('clearing chat');
    },
  }),
);

const bot = new AutoBot({ ...emu.clientOptions(), botId, auth, commands, channels: ['1337'] });
let answered = (): void => undefined;
bot.on('message', (message) => {
  const thread = message.reply === null ? '' : ` (reply to ${message.reply.parentUser.login})`;
  console.log(`${message.chatter.login}: ${message.message.text}${thread}`);
  if (message.chatter.id === botId) answered();
});
bot.on('chatDropped', ({ text, dropReason }) => {
  console.log(`Twitch did not send "${text}": ${dropReason.code}`); // e.g. msg_duplicate within 30 s
});
bot.on('error', (error) => {
  console.error(error.message);
});
await bot.start();

for (const text of ['!dice many', '!dice 20', '!dice', '!clear']) {
  const answer = new Promise<void>((resolve) => (answered = resolve));
  emu.chat({ channel: 'somechannel', user: 'aviewer', text });
  await answer; // the viewer reads the answer before typing again
}
await bot.close();
auth.close(); // and `await using` closes the emulator
