/** Every CLI subcommand, in help order. Add a command by writing its module and listing it here. */
import { emulatorCommand } from './emulator.js';
import type { CliCommand } from '../types.js';

export const commands: readonly CliCommand[] = [emulatorCommand];
