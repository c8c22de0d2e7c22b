/**
 * Opening usermig's SQLite files (the workspace, the local cloud): write-ahead logging, so that a killed
 * process leaves the last committed state; and forward migrations recorded in `PRAGMA user_version`, each
 * run once, in order, inside a transaction.
 */
import Database from 'better-sqlite3';
import { UsermigError } from '../model/errors.js';

export function openDatabase(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  return db;
}

/** Applies the pending migrations; `what` names the file in messages ("the workspace", "the local cloud"). */
export function migrate(db: Database.Database, migrations: readonly string[], what: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new UsermigError(
      'workspace',
      `${what} was written by a newer usermig (schema ${current}, this one knows ${migrations.length}); upgrade usermig`,
    );
  }
  for (let version = current; version < migrations.length; version++) {
    const step = migrations[version] as string;
    db.transaction(() => {
      db.exec(step);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
