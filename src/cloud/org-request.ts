/**
 * Reading the organization API's request bodies: search filters (`{eq: [...], contains}` objects, id lists,
 * limits, `expand`), each checked as the spec types it; a wrong type is 400 ADMIN-400-24.
 */
import type { RequestContext } from './http.js';
import { invalid } from './refusal.js';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The JSON object body; an absent body is an empty one (search bodies are optional). */
export function bodyOf(context: RequestContext, required = false): Record<string, unknown> {
  if (context.body === undefined && !required) return {};
  if (!isObject(context.body)) throw invalid('the request body must be a JSON object');
  return context.body;
}

/** A list of strings (a single string is taken as a list of one); null when absent. */
export function strings(body: Record<string, unknown>, name: string, max?: number): string[] | null {
  const value = body[name];
  if (value === undefined || value === null) return null;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || !list.every((item) => typeof item === 'string')) throw invalid(`"${name}" must be an array of strings`);
  if (max !== undefined && list.length > max) throw invalid(`"${name}" holds at most ${max} values`);
  return list as string[];
}

export interface EqContains {
  eq: string[] | null;
  contains: string | null;
}

/** A `{eq: [...], contains: "..."}` filter (NamesOrNicknames, EmailDomains, GroupNames…); a bare list means eq. */
export function eqContains(body: Record<string, unknown>, name: string): EqContains | null {
  const value = body[name];
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return { eq: strings(body, name, 100), contains: null };
  if (!isObject(value)) throw invalid(`"${name}" must be an object with "eq" and/or "contains"`);
  const eq = strings(value, 'eq', 100);
  const contains = value.contains;
  if (contains !== undefined && contains !== null && typeof contains !== 'string') throw invalid(`"${name}.contains" must be a string`);
  return { eq, contains: (contains as string | null | undefined) ?? null };
}

/** Does a value pass an eq/contains filter (both compared case-insensitively)? */
export function passes(value: string, filter: EqContains | null): boolean {
  if (filter === null) return true;
  const lower = value.toLowerCase();
  if (filter.eq !== null && !filter.eq.some((candidate) => candidate.toLowerCase() === lower)) return false;
  if (filter.contains !== null && !lower.includes(filter.contains.toLowerCase())) return false;
  return true;
}

export function limitOf(body: Record<string, unknown>, max: number, fallback: number): number {
  const value = body.limit;
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) throw invalid(`"limit" must be an integer from 1 to ${max}`);
  return value;
}

export function booleanOf(body: Record<string, unknown>, name: string): boolean | null {
  const value = body[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'boolean') throw invalid(`"${name}" must be a boolean`);
  return value;
}

/** `expand` values, upper-cased (v1 spells them NAME, EMAIL…; v2 clients may send lower case). */
export function expandOf(body: Record<string, unknown>): Set<string> {
  return new Set((strings(body, 'expand') ?? []).map((value) => value.toUpperCase()));
}

export function stringField(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value.trim() === '') throw invalid(`the body needs a non-empty "${name}"`);
  return value.trim();
}
