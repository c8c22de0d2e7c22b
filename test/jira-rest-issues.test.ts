/**
 * `scan jira:URL` reads the people each project's issues name (SOURCES.md §1.7) through search with the
 * user fields — reporter, assignee, creator, comment, worklog and attachment authors, user-picker values —
 * and the default project role actors, so that `--scope jira:projects=` works on a REST source as on a
 * backup. Against the Jira contract server on 127.0.0.1, through the CLI (`scan`, then `explain`).
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from './support/files.js';
import { generateJiraEstate, jiraRoute, type JiraIssue } from './support/jira-contract.js';
import { startContractServer, usermigAsync, type ContractServer } from './support/rest-contract.js';

const TOKEN = 'pat-secret-0123456789';
const servers: ContractServer[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

function estateWithIssues() {
  const estate = generateJiraEstate(300);
  const name = (i: number) => estate.users[i]?.name as string;
  const issues: JiraIssue[] = Array.from({ length: 120 }, (_, i) => ({
    id: String(20000 + i),
    key: `ABC-${i + 1}`,
    project: 'ABC',
    reporter: name(20 + (i % 10)),
    assignee: i % 2 === 0 ? name(20 + (i % 10)) : name(40),
    creator: name(20 + (i % 10)),
  }));
  const last = issues[119] as JiraIssue;
  last.comments = [...Array.from({ length: 6 }, () => ({ author: name(41) })), { author: name(200), updateAuthor: name(206) }];
  last.worklogs = [name(201)];
  last.attachments = [name(202)];
  last.pickers = { customfield_10200: [name(203)], customfield_10201: [name(204), name(205)] };
  issues.push({ id: '30000', key: 'HELP-1', project: 'HELP', reporter: name(250) });
  return {
    estate: {
      ...estate,
      issues,
      userPickers: [
        { id: 'customfield_10200', name: 'Approver', multi: false },
        { id: 'customfield_10201', name: 'Reviewers', multi: true },
      ],
      defaultRoles: [{ id: 10002, name: 'Administrators', users: [name(210)], groups: ['jira-administrators'] }],
    },
    name,
  };
}

describe('scan jira:URL: issue-level references and default role actors', () => {
  it('reads who the issues of each project name, paging search and completing comments it cut short (paged too); a scope by project finds them', async () => {
    const { estate, name } = estateWithIssues();
    const server = await startContractServer(jiraRoute(estate, { hasUserList: true, issuePage: 50, commentPage: 3 }), `Bearer ${TOKEN}`);
    servers.push(server);
    const workspace = path.join(tempDir(), 'ws');
    const scanned = await usermigAsync(['scan', `jira:${server.url}/jira`, '--workspace', workspace, '--json'], { USERMIG_JIRA_TOKEN: TOKEN });
    expect(scanned.code, scanned.stderr).toBe(0);
    const result = (JSON.parse(scanned.stdout) as { sources: Array<{ counts: Record<string, number>; notes: string[] }> }).sources[0];
    // 120 ABC issues: reporter (+ assignee on the odd ones) → 120 + 60; the last one: 7 comments, 1 updater,
    // 1 worklog, 1 attachment, 3 picker values; HELP-1: its reporter. Plus the 6 the estate has without issues
    // (role actors, scheme grants): each comment once, none lost or read twice.
    expect(result?.counts.references).toBe(6 + 120 + 60 + 7 + 1 + 1 + 1 + 3 + 1);
    expect(result?.notes.join(' ')).toMatch(/watchers, voters and the authors of issue history/);
    expect(server.requests.filter((r) => r.includes('/rest/api/2/search') && r.includes('ABC'))).toHaveLength(3); // 120 issues, 50 a page
    // search embeds 5 of the 7 comments; the issue gives 3 a page: all 7 are read again, in three pages
    expect(server.requests.filter((r) => r.includes('/rest/api/2/issue/20119/comment'))).toEqual([
      '/jira/rest/api/2/issue/20119/comment?startAt=0&maxResults=7',
      '/jira/rest/api/2/issue/20119/comment?startAt=3&maxResults=4',
      '/jira/rest/api/2/issue/20119/comment?startAt=6&maxResults=1',
    ]);
    expect(server.requests.some((r) => r.includes('fields=reporter%2Cassignee%2Ccreator%2Ccomment%2Cworklog%2Cattachment%2Ccustomfield_10200%2Ccustomfield_10201'))).toBe(true);

    const explain = async (user: string) => {
      const answer = await usermigAsync(['explain', `jira:${user}`, '--scope', 'jira:projects=ABC', '--workspace', workspace]);
      expect(answer.code, answer.stderr).toBe(0);
      return answer.stdout;
    };
    expect(await explain(name(20))).toMatch(/reporter of 12 issues in ABC/);
    expect(await explain(name(40))).toMatch(/assignee of 60 issues in ABC/);
    expect(await explain(name(200))).toMatch(/author of 1 comment/);
    expect(await explain(name(206))).toMatch(/comment/);
    expect(await explain(name(201))).toMatch(/author of 1 worklog/);
    expect(await explain(name(202))).toMatch(/author of 1 attachment/);
    expect(await explain(name(203))).toMatch(/named in the field "Approver"/);
    expect(await explain(name(205))).toMatch(/named in the field "Reviewers"/);
    // HELP's reporter is not in ABC's scope, and explain says where the issue is.
    const outside = await explain(name(250));
    expect(outside).toMatch(/out of scope/);
    expect(outside).toMatch(/reporter of 1 issue in HELP \(HELP-1\) — HELP is not in scope/);
  });

  it('records the default actors of project roles as the backup does (*/Role); a project whose search is refused is said to be not read', async () => {
    const { estate, name } = estateWithIssues();
    const server = await startContractServer(jiraRoute(estate, { hasUserList: true }), `Bearer ${TOKEN}`);
    server.faults.push({ match: /\/search\?jql=project%20%3D%20%22HELP%22/, status: 403 });
    servers.push(server);
    const workspace = path.join(tempDir(), 'ws');
    const scanned = await usermigAsync(['scan', `jira:${server.url}/jira`, '--workspace', workspace, '--json'], { USERMIG_JIRA_TOKEN: TOKEN });
    expect(scanned.code, scanned.stderr).toBe(0);
    const json = (JSON.parse(scanned.stdout) as { sources: Array<{ counts: Record<string, number>; notes: string[] }> }).sources[0];
    const counts = json?.counts;
    expect(json?.notes.join('\n')).toMatch(/Jira refused to search the issues of project HELP \(403\)/);
    // The 8 grants of the generated estate, and the default Administrators' group and user.
    expect(counts?.grants).toBe(8 + 2);
    expect(server.requests.some((r) => r.endsWith('/rest/api/2/role/10002/actors'))).toBe(true);
    // The default user actor is a reference of no project: a scope by project does not bring them in.
    const explained = await usermigAsync(['explain', `jira:${name(210)}`, '--scope', 'jira:projects=ABC', '--workspace', workspace]);
    expect(explained.code, explained.stderr).toBe(0);
    expect(explained.stdout).toMatch(/out of scope/);
  });
});
