/** Placeholder: the commands arrive with the decide stage. */
import type { Command } from 'commander';

export function registerDecisionCommands(_command: Command): void {}
