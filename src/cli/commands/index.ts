/** Every CLI subcommand, in help order. Add a command by writing its module and listing it here. */
import { conduitsCommand } from './conduits.js';
import { dashboardCommand } from './dashboard.js';
import { demoCommand } from './demo.js';
import { emulatorCommand } from './emulator.js';
import { recordCommand } from './record.js';
import { replayCommand } from './replay.js';
import { subscriptionsCommand } from './subscriptions.js';
import { tokenCommand } from './token.js';
import type { CliCommand } from '../types.js';

export const commands: readonly CliCommand[] = [
  demoCommand,
  emulatorCommand,
  recordCommand,
  replayCommand,
  conduitsCommand,
  subscriptionsCommand,
  dashboardCommand,
  tokenCommand,
];
