/**
 * Reads Atlassian Crowd over its usermanagement REST API (`/rest/usermanagement/1`) into snapshot records:
 * the users and groups the application sees, and the direct memberships — users in groups and groups in
 * groups (nesting), so that the estate keeps the structure Jira's REST flattens.
 *
 * Source spec `crowd:https://crowd.example.com/crowd`. Crowd authenticates an *application*, not a user:
 * USERMIG_CROWD_APP and USERMIG_CROWD_PASSWORD (HTTP Basic) name an application whose directories hold the
 * people to migrate. The application sees its directories aggregated (the first directory holding a
 * username wins), so the source has one directory, named after the application; the directories
 * themselves are listed only by Crowd's admin API, which needs a user's credentials (recorded as not read).
 *
 * Paging: `search?entity-type=user|group&expand=…` and `group/user/direct`, `group/child-group/direct`
 * with start-index / max-results, read until a page comes back short; groups are read concurrently.
 */
import type { SnapshotSink } from '../model/snapshot.js';
import type { SourceContext } from './index.js';
import { forEachConcurrently, q, Shape, type RestClient } from './rest-client.js';
import { credentialsFrom, drained, openRestSource, readRestSource, type RestProgress } from './rest-source.js';

export const CROWD_APP_VARIABLE = 'USERMIG_CROWD_APP';
export const CROWD_PASSWORD_VARIABLE = 'USERMIG_CROWD_PASSWORD';
export const CROWD_DIRECTORY_ID = 'crowd';

const API = '/rest/usermanagement/1';
const PAGE = 1000;

export async function readCrowdRest(location: string, sink: SnapshotSink, onProgress?: (done: number, total: number) => void, context?: SourceContext): Promise<void> {
  const source = openRestSource(
    'Crowd',
    location,
    context,
    (env) => credentialsFrom(env, 'USERMIG_CROWD', { user: CROWD_APP_VARIABLE, password: CROWD_PASSWORD_VARIABLE, token: null }),
    onProgress,
  );
  const reader = new CrowdRestReader(source.client, sink, source.progress);
  await readRestSource(source, async () => {
    await reader.read((context?.options.env ?? process.env)[CROWD_APP_VARIABLE] ?? '');
    sink.notRead?.({
      topic: 'directories',
      text: "Crowd's application API shows the application's directories merged into one; the users and groups are recorded in one directory named after the application",
      consequence: "users shadowed in a later directory, users of inactive directories and the directory order cannot be assessed: compare with Crowd's Directories page, or scan the products' backups",
    });
  });
}

class CrowdRestReader {
  private readonly groups: string[] = [];
  private readonly users = new Set<string>();

  constructor(
    private readonly client: RestClient,
    private readonly sink: SnapshotSink,
    private readonly progress: RestProgress,
  ) {}

  async read(application: string): Promise<void> {
    this.sink.directory({ id: CROWD_DIRECTORY_ID, name: `Crowd application ${application || '(anonymous)'} at ${this.client.base.href.replace(/\/$/, '')}`, position: 0, active: true, type: 'CROWD' });
    this.progress.phase = 'users (search?entity-type=user)';
    await this.pages(`${API}/search?entity-type=user&expand=user`, 'users', (value, shape, where) => this.user(value, shape, where));
    this.progress.phase = 'groups (search?entity-type=group)';
    await this.pages(`${API}/search?entity-type=group&expand=group`, 'groups', (value, shape, where) => {
      const name = shape.string(shape.object(value, where).name, `${where}.name`);
      this.groups.push(name);
      this.sink.group({ directoryId: CROWD_DIRECTORY_ID, name });
      this.progress.groups++;
      this.progress.tick();
    });
    this.progress.phase = 'memberships (group/user/direct, group/child-group/direct)';
    await forEachConcurrently(this.groups, this.client.workers, async (group) => {
      await this.pages(`${API}/group/user/direct?groupname=${q(group)}`, 'users', (value, shape, where) => {
        const child = shape.string(shape.object(value, where).name, `${where}.name`);
        this.membership(group, child, false);
      });
      await this.pages(`${API}/group/child-group/direct?groupname=${q(group)}`, 'groups', (value, shape, where) => {
        const child = shape.string(shape.object(value, where).name, `${where}.name`);
        if (child !== group) this.membership(group, child, true);
      });
    });
  }

  /** Reads a start-index / max-results listing until a page comes back short. */
  private async pages(path: string, field: string, handle: (value: unknown, shape: Shape, where: string) => void): Promise<void> {
    const endpoint = path.replace(/\?.*$/, '');
    for (let start = 0; ; ) {
      const shape = new Shape(endpoint);
      const body = shape.object((await this.client.get(`${path}&start-index=${start}&max-results=${PAGE}`)).body, '(answer)');
      const values = shape.array(body[field] ?? [], field);
      values.forEach((value, i) => handle(value, shape, `${field}[${i}]`));
      await drained(this.sink);
      if (values.length < PAGE) return;
      start += values.length;
    }
  }

  private user(value: unknown, shape: Shape, where: string): void {
    const u = shape.object(value, where);
    const name = shape.string(u.name, `${where}.name`);
    if (this.users.has(name.toLowerCase())) return;
    this.users.add(name.toLowerCase());
    const first = shape.optionalString(u['first-name'], `${where}.first-name`);
    const last = shape.optionalString(u['last-name'], `${where}.last-name`);
    this.sink.user({
      directoryId: CROWD_DIRECTORY_ID,
      userName: name,
      active: shape.boolean(u.active, `${where}.active`, true),
      displayName: shape.optionalString(u['display-name'], `${where}.display-name`) || [first, last].filter(Boolean).join(' '),
      email: shape.optionalString(u.email, `${where}.email`),
      updated: typeof u['updated-date'] === 'number' ? new Date(u['updated-date']).toISOString() : shape.optionalString(u['updated-date'], `${where}.updated-date`),
    });
    const key = typeof u.key === 'string' && u.key ? u.key : name.toLowerCase();
    this.sink.userKey({ userKey: key, lowerUserName: name.toLowerCase() });
    this.progress.users++;
    this.progress.tick();
  }

  private membership(parent: string, child: string, childIsGroup: boolean): void {
    this.sink.membership({ directoryId: CROWD_DIRECTORY_ID, parent, child, childIsGroup });
    this.progress.memberships++;
    this.progress.tick();
  }
}
