/** Placeholder: the commands arrive with the decide stage. */
import type { Command } from 'commander';

export function registerUserCommands(_command: Command): void {}
