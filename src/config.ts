/**
 * The configuration file: settings that do not belong on the command line, such as the mapping of an LDAP
 * directory. It is JSON, read from `--config FILE`, or else from `usermig.json` in the workspace folder when
 * that file exists. Secrets never go into it: they come from the environment.
 *
 * ```json
 * { "ldap": { "preset": "openldap", "groupObjectClass": ["groupOfNames", "posixGroup"], "pageSize": 500 } }
 * ```
 *
 * This module checks the file's shape only; each section is validated by its owner (the LDAP section by
 * sources/ldap-mapping.ts), and every error names the file and the setting (exit code 2).
 */
import fs from 'node:fs';
import path from 'node:path';
import { usageError } from './model/errors.js';

export const CONFIG_FILE_NAME = 'usermig.json';

/** The sections the file may hold. */
const SECTIONS = ['ldap', 'strategy'] as const;

export interface UsermigConfig {
  /** The file it came from, for error messages; undefined when there is none. */
  file?: string;
  /** The `ldap` section as written (validated when an LDAP source is read). */
  ldap?: Record<string, unknown>;
  /** The `strategy` section as written (validated by src/strategy/tiers.ts): the user tiers. */
  strategy?: Record<string, unknown>;
}

/**
 * Reads the configuration: `explicit` (from --config) must exist; otherwise `usermig.json` in the
 * workspace folder is read when present. No file: an empty configuration.
 */
export function loadConfig(explicit: string | undefined, workspaceDir: string): UsermigConfig {
  const file = explicit ? path.resolve(explicit) : path.join(workspaceDir, CONFIG_FILE_NAME);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!explicit && code === 'ENOENT') return {};
    throw usageError(`cannot read the configuration file ${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  return parseConfig(text, file);
}

export function parseConfig(text: string, file: string): UsermigConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw usageError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (!isPlainObject(value)) throw usageError(`${file} must hold a JSON object, e.g. { "ldap": { "preset": "ad" } }`);
  const config: UsermigConfig = { file };
  for (const [key, section] of Object.entries(value)) {
    if (!(SECTIONS as readonly string[]).includes(key)) {
      throw usageError(`${file}: "${key}" is not a setting of usermig (known sections: ${SECTIONS.join(', ')})`);
    }
    if (!isPlainObject(section)) throw usageError(`${file}: "${key}" must be an object of settings`);
    config[key as (typeof SECTIONS)[number]] = section;
  }
  return config;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
