/** Identifiers and timestamps of the local cloud, shaped like Atlassian's. */
import { randomBytes, randomUUID } from 'node:crypto';

export const nowIso = (): string => new Date().toISOString();
export const newId = (): string => randomUUID();
/** Atlassian account ids of new accounts look like `712020:<uuid>`. */
export const newAccountId = (): string => `712020:${randomUUID()}`;
/** API keys: random, URL-safe, never logged. */
export const newToken = (): string => randomBytes(24).toString('base64url');
