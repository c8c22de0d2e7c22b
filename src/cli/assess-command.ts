/**
 * `usermig assess`: the assessment of the workspace's estate, as text, JSON or CSV. Kept apart from the
 * other commands so that it loads only what it needs.
 */
import { assessConfigured } from '../assess/configured.js';
import { hasBlockers, type Assessment } from '../assess/index.js';
import { loadConfig } from '../config.js';
import { writeAssessmentCsv } from '../report/assessment-csv.js';
import { formatAssessment } from '../report/assessment-text.js';
import { resolveWorkspaceDir } from '../workspace/workspace.js';
import { type Output, stdout } from './output.js';
import { withEstate } from './workspace-estate.js';

/** `configFile`: --config (default usermig.json in the workspace folder, when present). */
export function runAssessment(workspaceDir: string, configFile?: string): Assessment {
  const config = loadConfig(configFile, workspaceDir);
  return withEstate(workspaceDir, ({ estate, decisions }) => assessConfigured(estate, decisions, config));
}

export function assessCommand(options: { workspace?: string; json?: boolean; csv?: string; config?: string }, io = stdout): number {
  const assessment = runAssessment(resolveWorkspaceDir(options.workspace), options.config);
  if (options.csv) writeAssessmentCsv(assessment, options.csv);
  io.out(options.json ? JSON.stringify(assessment) : formatAssessment(assessment));
  return hasBlockers(assessment) ? 1 : 0;
}

