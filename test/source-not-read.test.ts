/**
 * What a source could not read is stored with its snapshot and reported by assess as `source-not-read`
 * (info), naming the source, what was not read and what it means for the migration: through the CLI,
 * against the Jira and Crowd REST contract servers on 127.0.0.1. A re-scan replaces the records with the
 * snapshot; a failed re-scan keeps them.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkSourcesNotRead } from '../src/assess/checks/source-not-read.js';
import { buildEstate } from '../src/assess/estate.js';
import { crowdRoute, generateCrowdDirectory } from './support/crowd-contract.js';
import { tempDir } from './support/files.js';
import { generateJiraEstate, jiraRoute } from './support/jira-contract.js';
import { basic, startContractServer, usermigAsync, type ContractServer } from './support/rest-contract.js';
import { source } from './support/snapshot.js';

const TOKEN = 'pat-secret-0123456789';
const servers: ContractServer[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

interface Assessed {
  summary: Record<string, unknown>;
  findings: Array<{ code: string; severity: string; message: string; fix: string; subjects: Array<{ type: string; id: string; source?: string; detail?: string }> }>;
}

async function assessJson(workspace: string): Promise<Assessed> {
  const result = await usermigAsync(['assess', '--json', '--workspace', workspace]);
  expect([0, 1], result.stderr).toContain(result.code);
  return JSON.parse(result.stdout) as Assessed;
}

const notRead = (assessed: Assessed) =>
  assessed.findings
    .filter((f) => f.code === 'source-not-read')
    .map((f) => `${f.subjects[0]?.source}:${f.subjects[0]?.id}`)
    .sort();

describe('source-not-read', () => {
  it('a Jira REST and a Crowd source: what they could not read is an info finding per source and topic, with what it means', async () => {
    const jira = await startContractServer(jiraRoute(generateJiraEstate(300), { hasUserList: false, searchCap: 100 }), `Bearer ${TOKEN}`);
    const crowd = await startContractServer(crowdRoute(generateCrowdDirectory(50)), basic('usermig', 'app-secret-42'));
    servers.push(jira, crowd);
    const workspace = path.join(tempDir(), 'ws');
    const scanned = await usermigAsync(['scan', `jira:${jira.url}/jira`, `crowd:${crowd.url}/crowd`, '--workspace', workspace], {
      USERMIG_JIRA_TOKEN: TOKEN,
      USERMIG_CROWD_APP: 'usermig',
      USERMIG_CROWD_PASSWORD: 'app-secret-42',
    });
    expect(scanned.code, scanned.stderr).toBe(0);
    // The scan still prints them.
    expect(scanned.stdout).toMatch(/note: Jira REST does not list global permission grants/);
    expect(scanned.stdout).toMatch(/note: Jira caps user\/search at 100/);
    expect(scanned.stdout).toMatch(/note: Crowd's application API shows the application's directories merged into one/);

    const assessed = await assessJson(workspace);
    expect(notRead(assessed)).toEqual(['crowd:directories', 'jira:directories', 'jira:global-permissions', 'jira:group-nesting', 'jira:issue-watchers-history', 'jira:users-capped']);
    const global = assessed.findings.find((f) => f.code === 'source-not-read' && f.subjects[0]?.id === 'global-permissions');
    expect(global?.severity).toBe('info');
    expect(global?.message).toMatch(/^jira \(jira:http:\/\/127\.0\.0\.1:\d+\/jira\): Jira REST does not list global permission grants/);
    expect(global?.fix).toMatch(/^Groups holding Jira administration are not found.*check Global permissions in Jira by hand/);
    expect(assessed.findings.find((f) => f.subjects[0]?.id === 'users-capped')?.fix).toMatch(/compare the user count/);
    // The summary keeps its fields and says nothing new.
    expect(Object.keys(assessed.summary)).not.toContain('notRead');
    expect(assessed.summary).toMatchObject({ sources: 2 });

    // A failed re-scan keeps the previous snapshot, its not-read records with it.
    const refused = await usermigAsync(['scan', `jira:${jira.url}/jira`, '--workspace', workspace], { USERMIG_JIRA_TOKEN: 'wrong-token' });
    expect(refused.code).toBe(3);
    expect(notRead(await assessJson(workspace))).toContain('jira:users-capped');

    // A re-scan replaces them with the snapshot: this Jira has user/list, so no user is missing.
    const full = await startContractServer(jiraRoute(generateJiraEstate(300), { hasUserList: true }), `Bearer ${TOKEN}`);
    servers.push(full);
    const again = await usermigAsync(['scan', `jira:${full.url}/jira`, '--workspace', workspace], { USERMIG_JIRA_TOKEN: TOKEN });
    expect(again.code, again.stderr).toBe(0);
    expect(notRead(await assessJson(workspace))).toEqual(['crowd:directories', 'jira:directories', 'jira:global-permissions', 'jira:group-nesting', 'jira:issue-watchers-history']);
  });

  it('a backup source records nothing as not read, so it has no such finding', () => {
    const snapshot = source({ users: [['1', 'alice', 'alice@example.com']] });
    expect(checkSourcesNotRead(buildEstate({ sources: [snapshot] }))).toEqual([]);
    const withNote = { ...snapshot, notRead: [{ topic: 'other', text: 'something was skipped', consequence: '' }] };
    const [finding] = checkSourcesNotRead(buildEstate({ sources: [withNote] }));
    expect(finding).toMatchObject({ code: 'source-not-read', severity: 'info', subjects: [{ type: 'estate', id: 'other', source: 'jira' }] });
    expect(finding?.fix).toMatch(/Check by hand/);
  });
});
