/**
 * The local store: one SQLite file, `workspace.db`, in the workspace folder (`./.usermig` unless
 * `--workspace` or `USERMIG_WORKSPACE` says otherwise). Opening it applies pending migrations.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { UsermigError } from '../model/errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';

export type Db = Database.Database;

export interface Workspace {
  dir: string;
  db: Db;
  close(): void;
}

export function resolveWorkspaceDir(option?: string): string {
  return path.resolve(option ?? process.env.USERMIG_WORKSPACE ?? '.usermig');
}

export function openWorkspace(dir: string): Workspace {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new UsermigError('workspace', `cannot create the workspace folder ${dir}: ${(error as Error).message}`);
  }
  const file = path.join(dir, 'workspace.db');
  let db: Db;
  try {
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    migrate(db, file);
  } catch (error) {
    if (error instanceof UsermigError) throw error;
    throw new UsermigError('workspace', `cannot open the workspace ${file}: ${(error as Error).message}`);
  }
  return { dir, db, close: () => db.close() };
}

function migrate(db: Db, file: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new UsermigError(
      'workspace',
      `the workspace ${file} was written by a newer usermig (schema ${current}, this one knows ${SCHEMA_VERSION}); upgrade usermig`,
    );
  }
  for (let version = current; version < SCHEMA_VERSION; version++) {
    const step = MIGRATIONS[version] as string;
    db.transaction(() => {
      db.exec(step);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
