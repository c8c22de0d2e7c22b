/** What every route of the dashboard works with: the live workspace, the default target, the apply runner. */
import type { ApplyRunner } from './apply-runner.js';
import type { LiveWorkspace } from './live-workspace.js';

export interface ServeContext {
  live: LiveWorkspace;
  workspaceDir: string;
  /** `usermig serve --target`, else `local`. */
  target: string;
  runner: ApplyRunner;
}
