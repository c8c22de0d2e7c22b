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
const SECTIONS = ['ldap', 'strategy', 'externalDirectories'] as const;

export interface UsermigConfig {
  /** The file it came from, for error messages; undefined when there is none. */
  file?: string;
  /** The `ldap` section as written (validated when an LDAP source is read). */
  ldap?: Record<string, unknown>;
  /** The `strategy` section as written (validated by src/strategy/tiers.ts): the user tiers. */
  strategy?: Record<string, unknown>;
  /**
   * The `externalDirectories` section: which product directories each LDAP or Crowd source is the external
   * directory of (see externalDirectoriesOf), instead of the pairing by URL host and base DN.
   */
  externalDirectories?: Record<string, unknown>;
}

/** One product directory named in `externalDirectories`: the source's name and the directory's id or name. */
export interface ExternalDirectoryRef {
  source: string;
  directory: string;
  /** Where it was written, for error messages: `usermig.json: externalDirectories.corp[0]`. */
  setting: string;
}

/**
 * The `externalDirectories` section, checked: LDAP or Crowd source name → the product directories it is the
 * external directory of, each written `SOURCE:DIRECTORY` (the directory's id or name as the product
 * has it), e.g. `{ "corp": ["jira:10100", "confluence:Corporate LDAP"] }`. An empty list says the LDAP
 * source is no product's directory. Undefined when the file has no such section. Whether the sources and
 * directories exist is checked against the workspace by the directory-drift check.
 */
export interface ExternalDirectories {
  /** `usermig.json: externalDirectories.corp`, for error messages. */
  setting: string;
  directories: ExternalDirectoryRef[];
}

export function externalDirectoriesOf(config: UsermigConfig | undefined): Map<string, ExternalDirectories> | undefined {
  const section = config?.externalDirectories;
  if (section === undefined) return undefined;
  const file = config?.file ?? 'the configuration';
  const pairs = new Map<string, ExternalDirectories>();
  for (const [ldapSource, value] of Object.entries(section)) {
    const where = `${file}: externalDirectories.${ldapSource}`;
    const list = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(list)) throw usageError(`${where} must be a list of product directories written SOURCE:DIRECTORY, e.g. ["jira:10100"], or [] for none`);
    const directories = list.map((item: unknown, i) => {
      const setting = `${where}[${i}]`;
      const match = typeof item === 'string' ? /^([^:]+):(.+)$/.exec(item.trim()) : null;
      if (!match) throw usageError(`${setting} must be written SOURCE:DIRECTORY (the directory's id or name), e.g. "jira:10100", not ${JSON.stringify(item)}`);
      return { source: (match[1] as string).trim(), directory: (match[2] as string).trim(), setting };
    });
    pairs.set(ldapSource, { setting: where, directories });
  }
  return pairs;
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
