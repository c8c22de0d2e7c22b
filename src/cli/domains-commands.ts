/** Placeholder: the commands arrive with the decide stage. */
import type { Command } from 'commander';

export function registerDomainCommands(_command: Command): void {}
