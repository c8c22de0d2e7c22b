/**
 * `usermig serve [--port N] [--workspace DIR] [--target SPEC]`: the dashboard on 127.0.0.1. Prints one line,
 * the URL with the one-time token, and runs until SIGINT or SIGTERM. Nothing else it prints names the token.
 */
import type { Command } from 'commander';
import { UsermigError, usageError } from '../model/errors.js';
import { resolveWorkspaceDir } from '../workspace/workspace.js';
import { untilStopped } from './until-stopped.js';

export const DEFAULT_SERVE_PORT = 4310;

export async function serveCommand(options: { port?: string; workspace?: string; target?: string }): Promise<number> {
  const port = options.port === undefined ? DEFAULT_SERVE_PORT : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError(`--port takes a port number (0 for any free port), not "${options.port}"`);
  let dashboard;
  try {
    // The server (and its framework) is loaded when the dashboard starts, not on every command.
    const { startDashboard } = await import('../serve/server.js');
    dashboard = await startDashboard({ workspaceDir: resolveWorkspaceDir(options.workspace), target: options.target ?? 'local', port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsermigError('usage', `the port ${port} is in use; choose another with --port (0: any free port)`);
    throw error;
  }
  process.stdout.write(`usermig dashboard: ${dashboard.url}\n`);
  await untilStopped();
  await dashboard.close();
  return 0;
}

export function registerServeCommand(cli: Command): void {
  cli
    .command('serve')
    .description('the dashboard: a local web server on 127.0.0.1 (the URL it prints carries a one-time token)')
    .option('--port <n>', `port (0: any free port; default ${DEFAULT_SERVE_PORT})`)
    .option('--workspace <dir>', 'workspace folder (default ./.usermig or USERMIG_WORKSPACE)')
    .option('--target <spec>', 'the target plans and applies use: local (default), atlassian, atlassian:URL, scim:URL')
    .action(async (options: { port?: string; workspace?: string; target?: string }) => {
      process.exitCode = await serveCommand(options);
    });
}
