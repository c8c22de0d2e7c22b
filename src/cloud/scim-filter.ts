/**
 * The filters Atlassian's SCIM API accepts: one exact match, `attribute eq "value"`, on `userName` or
 * `externalId` for users and on `displayName` for groups (TARGETS 1.3). Attribute names and the operator
 * are case-insensitive and may carry the schema URN (RFC 7644 §3.4.2.2); anything else — other operators,
 * `and`/`or`, value paths — is a 400 `invalidFilter`, as Atlassian answers.
 */
import { Refusal } from './refusal.js';

export interface EqFilter {
  /** The attribute, spelt as the caller's list of allowed attributes spells it. */
  attribute: string;
  value: string;
}

const CORE_PREFIX = /^urn:ietf:params:scim:schemas:core:2\.0:(?:User|Group):/i;
const SHAPE = /^\s*([A-Za-z][A-Za-z0-9_:.$-]*)\s+([A-Za-z]+)\s+("(?:[^"\\]|\\.)*")\s*$/;

const invalidFilter = (filter: string, allowed: readonly string[]): Refusal =>
  new Refusal(
    400,
    `invalid filter ${JSON.stringify(filter)}: only a single exact match is supported, ${allowed.map((a) => `${a} eq "…"`).join(' or ')}`,
    { scimType: 'invalidFilter' },
  );

/** Parses a filter; throws a 400 invalidFilter refusal for anything but `allowed-attribute eq "string"`. */
export function parseEqFilter(filter: string, allowed: readonly string[]): EqFilter {
  const match = SHAPE.exec(filter);
  if (!match) throw invalidFilter(filter, allowed);
  const [, rawAttribute, operator, literal] = match as unknown as [string, string, string, string];
  if (operator.toLowerCase() !== 'eq') throw invalidFilter(filter, allowed);
  const name = rawAttribute.replace(CORE_PREFIX, '').toLowerCase();
  const attribute = allowed.find((candidate) => candidate.toLowerCase() === name);
  if (!attribute) throw invalidFilter(filter, allowed);
  let value: unknown;
  try {
    value = JSON.parse(literal);
  } catch {
    throw invalidFilter(filter, allowed);
  }
  return { attribute, value: value as string };
}
