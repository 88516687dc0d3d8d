/** The command framework: typed commands over any source of chat messages (see docs/bot.md, "Commands"). */
export { Arg, arg } from './args.js';
export type {
  ArgOptions,
  ArgsOf,
  ArgsShape,
  ConvertContext,
  Converter,
  NumberBounds,
  UserResolver,
} from './args.js';
export { Command, command, commandModule, group } from './command.js';
export type {
  AnyCommand,
  CommandDefinition,
  CommandModule,
  ErrorContext,
  ErrorHandler,
  GroupDefinition,
  Hook,
  MessageListener,
  ModuleDefinition,
  NoArgs,
  RedemptionListener,
  RewardMatch,
  SharedChatPolicy,
} from './command.js';
export { Commands } from './commands.js';
export type { CommandsOptions, DispatchResult, PrefixFunction } from './commands.js';
export { CommandContext } from './context.js';
export type { Chatter, ChatterRoles, ModerationOptions, UserTarget } from './context.js';
export { cooldowns } from './cooldowns.js';
export type { Cooldown, CooldownOptions, CooldownScope } from './cooldowns.js';
export {
  CommandArgumentError,
  CommandCooldownError,
  CommandError,
  CommandFailedError,
  CommandGuardError,
  CommandNotFoundError,
} from './errors.js';
export type { CommandErrorCode, CommandErrorInit, CommandPhase } from './errors.js';
export { guard, guards } from './guards.js';
export type { Guard, GuardContext, GuardLike, GuardPredicate } from './guards.js';
