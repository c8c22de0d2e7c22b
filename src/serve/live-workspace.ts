/**
 * The workspace as the dashboard keeps it: open for the server's life, with the estate, the decisions, the
 * assessment and the users index loaded once and reloaded when the workspace changes — the estate when a
 * source is scanned again, the rest when a decision changes (from the dashboard or the CLI alike: both
 * write the same stores, and the fingerprint of the sources and the decision log tells).
 */
import { assessConfigured } from '../assess/configured.js';
import type { Assessment } from '../assess/index.js';
import { loadConfig } from '../config.js';
import { buildEstate, type Estate } from '../assess/estate.js';
import { resolveIdentities, type Identities } from '../decide/identities.js';
import type { Decisions } from '../model/decision.js';
import { usageError } from '../model/errors.js';
import { loadDecisions } from '../workspace/decision-store.js';
import { loadEstate } from '../workspace/estate-loader.js';
import { openWorkspace, type Db, type Workspace } from '../workspace/workspace.js';
import { UserIndex } from './user-index.js';

export interface Loaded {
  workspace: Workspace;
  estate: Estate;
  decisions: Decisions;
  assessment: Assessment;
  users: UserIndex;
  /** What each user becomes after the decisions (computed on first use). */
  identities(): Identities;
  /** Changes when a source is scanned again. */
  sourcesKey: string;
  /** Changes when a decision changes. */
  decisionsKey: string;
}

export class LiveWorkspace {
  readonly workspace: Workspace;
  private loaded: Loaded | undefined;
  private estate: { key: string; estate: Estate } | undefined;

  constructor(readonly dir: string) {
    this.workspace = openWorkspace(dir);
  }

  get db(): Db {
    return this.workspace.db;
  }

  /** Whether any source was scanned into the workspace. */
  hasSources(): boolean {
    return (this.db.prepare('SELECT count(*) FROM sources').pluck().get() as number) > 0;
  }

  private sourcesKey(): string {
    return JSON.stringify(this.db.prepare('SELECT name, scanned_at FROM sources ORDER BY name').raw().all());
  }

  private decisionsKey(): string {
    return String(this.db.prepare('SELECT max(id) FROM decision_log').pluck().get() ?? 0);
  }

  /** The estate, decisions, assessment and index as the workspace holds them now. */
  current(): Loaded {
    const sourcesKey = this.sourcesKey();
    const decisionsKey = this.decisionsKey();
    if (this.loaded && this.loaded.sourcesKey === sourcesKey && this.loaded.decisionsKey === decisionsKey) return this.loaded;
    if (!this.estate || this.estate.key !== sourcesKey) {
      const snapshot = loadEstate(this.db);
      if (snapshot.sources.length === 0) throw usageError(`the workspace ${this.dir} has no sources yet; run usermig scan first`);
      this.estate = { key: sourcesKey, estate: buildEstate(snapshot) };
    }
    const estate = this.estate.estate;
    const decisions: Decisions = loadDecisions(this.db);
    // As `usermig assess` computes it: with usermig.json of the workspace folder (read again each time).
    const assessment = assessConfigured(estate, decisions, loadConfig(undefined, this.dir));
    let identities: Identities | undefined;
    this.loaded = {
      identities: () => (identities ??= resolveIdentities(estate, decisions.users)),
      workspace: this.workspace,
      estate,
      decisions,
      assessment,
      users: new UserIndex(estate, decisions, assessment),
      sourcesKey,
      decisionsKey,
    };
    return this.loaded;
  }

  close(): void {
    this.workspace.close();
  }
}
