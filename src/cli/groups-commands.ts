/** Placeholder: the commands arrive with the decide stage. */
import type { Command } from 'commander';

export function registerGroupCommands(_command: Command): void {}
