/**
 * The local store: one SQLite file, `workspace.db`, in the workspace folder (`./.usermig` unless
 * `--workspace` or `USERMIG_WORKSPACE` says otherwise). Opening it applies pending migrations.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { UsermigError } from '../model/errors.js';
import { MIGRATIONS } from './schema.js';
import { migrate, openDatabase } from './sqlite.js';

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
    db = openDatabase(file);
    migrate(db, MIGRATIONS, `the workspace ${file}`);
  } catch (error) {
    if (error instanceof UsermigError) throw error;
    throw new UsermigError('workspace', `cannot open the workspace ${file}: ${(error as Error).message}`);
  }
  return { dir, db, close: () => db.close() };
}
