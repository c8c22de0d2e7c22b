/** Query-string reading for the API: paging (offset, limit ≤ 1000), booleans and choices, as usage errors. */
import type { Context } from 'hono';
import { usageError } from '../model/errors.js';
import type { Page } from './api-types.js';

export const MAX_LIMIT = 1000;

function whole(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw usageError(`${name} takes a whole number, not "${text}"`);
  return value;
}

export function paging(c: Context): { offset: number; limit: number } {
  const offset = whole('offset', c.req.query('offset'), 0);
  const limit = whole('limit', c.req.query('limit'), 100);
  if (limit > MAX_LIMIT) throw usageError(`limit is at most ${MAX_LIMIT}, not ${limit}`);
  return { offset, limit };
}

export function page<Row>(rows: readonly Row[], { offset, limit }: { offset: number; limit: number }): Page<Row> {
  return { total: rows.length, offset, limit, rows: rows.slice(offset, offset + limit) };
}

export function booleanQuery(c: Context, name: string): boolean | undefined {
  const text = c.req.query(name);
  if (text === undefined || text === '') return undefined;
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw usageError(`${name} takes true or false, not "${text}"`);
}

export function choiceQuery<T extends string>(c: Context, name: string, choices: readonly T[]): T | undefined {
  const text = c.req.query(name);
  if (text === undefined || text === '') return undefined;
  if (!(choices as readonly string[]).includes(text)) throw usageError(`${name} takes one of ${choices.join(', ')}, not "${text}"`);
  return text as T;
}

/** A JSON body, as an object; anything else is a usage error. */
export async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw usageError('the request body is not JSON');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw usageError('the request body must be a JSON object');
  return body as Record<string, unknown>;
}

export function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw usageError(`${name} must be a string`);
  return value;
}

export function optionalBoolean(body: Record<string, unknown>, name: string): boolean | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw usageError(`${name} must be true or false`);
  return value;
}
