/** How findings name users and groups. */
import type { Subject } from '../model/finding.js';
import type { EffectiveUser, SourceEstate, SourceGroup } from './estate.js';

export const userSubject = (user: EffectiveUser, detail?: string): Subject => ({
  type: 'user',
  id: user.userName,
  source: user.source,
  detail: detail ?? (user.rawEmail === '' ? '(no email)' : user.rawEmail),
});

export const groupSubject = (source: SourceEstate, group: SourceGroup, detail?: string): Subject => ({
  type: 'group',
  id: group.name,
  source: source.name,
  ...(detail !== undefined ? { detail } : {}),
});

export const plural = (count: number, one: string, many = `${one}s`): string => `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
