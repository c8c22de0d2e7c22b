/**
 * What a SCIM 2.0 service provider says it offers (RFC 7644 §4, RFC 7643 §5, RFC 9865 §2): read from
 * /ServiceProviderConfig, /ResourceTypes and /Schemas once per run, before anything else is sent, and
 * used to shape the requests: Bulk and its limits, filtering and its result cap, ETags, the page size,
 * the endpoints of Users and Groups, and the User attributes the service knows.
 */
import { UsermigError } from '../model/errors.js';
import type { HttpClient } from './http-client.js';
import type { ScimProfile } from './scim-profiles.js';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';

export interface ScimDiscovery {
  patch: boolean;
  bulk: { supported: boolean; maxOperations: number; maxPayloadSize: number };
  filter: { supported: boolean; maxResults: number };
  etag: boolean;
  sort: boolean;
  /** Index paging always; `cursor` only when the service advertises RFC 9865 and prefers it. */
  paging: 'index' | 'cursor';
  /** The page size asked for: the profile's cap, within what the service allows. */
  pageSize: number;
  endpoints: { Users: string; Groups: string };
  /** Names of the core User schema's attributes, lower case (empty when /Schemas did not say). */
  userAttributes: Set<string>;
  extensions: string[];
  /** How many schemas /Schemas lists. */
  schemas: number;
}

interface Spc {
  patch?: { supported?: boolean };
  bulk?: { supported?: boolean; maxOperations?: number; maxPayloadSize?: number };
  filter?: { supported?: boolean; maxResults?: number };
  etag?: { supported?: boolean };
  sort?: { supported?: boolean };
  pagination?: { cursor?: boolean; index?: boolean; defaultPaginationMethod?: string; maxPageSize?: number };
}

interface ResourceType {
  name?: string;
  id?: string;
  endpoint?: string;
  schema?: string;
  schemaExtensions?: Array<{ schema?: string }>;
}

interface Schema {
  id?: string;
  attributes?: Array<{ name?: string }>;
}

/** A ListResponse's resources, or a bare array (some services answer discovery that way). */
const resources = <T>(body: unknown): T[] => (Array.isArray(body) ? (body as T[]) : ((body as { Resources?: T[] } | undefined)?.Resources ?? []));

const positive = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : undefined);

export async function discoverScim(http: HttpClient, profile: ScimProfile): Promise<ScimDiscovery> {
  const spcResponse = await http.request<Spc>('GET', '/ServiceProviderConfig');
  if (spcResponse.status !== 200 || typeof spcResponse.body !== 'object' || spcResponse.body === null) {
    throw new UsermigError('unreachable', `the SCIM service did not answer /ServiceProviderConfig (HTTP ${spcResponse.status}); is the URL the SCIM base (…/scim/v2)?`);
  }
  const spc = spcResponse.body;
  const [typesResponse, schemasResponse] = await Promise.all([
    http.request<unknown>('GET', '/ResourceTypes'),
    http.request<unknown>('GET', '/Schemas'),
  ]);
  const types = typesResponse.status === 200 ? resources<ResourceType>(typesResponse.body) : [];
  const schemas = schemasResponse.status === 200 ? resources<Schema>(schemasResponse.body) : [];
  const endpoint = (name: 'User' | 'Group', fallback: string): string => {
    const type = types.find((candidate) => (candidate.name ?? candidate.id) === name);
    const value = type?.endpoint;
    return typeof value === 'string' && value !== '' ? (value.startsWith('/') ? value : `/${value}`) : fallback;
  };
  const userType = types.find((candidate) => (candidate.name ?? candidate.id) === 'User');
  const userSchema = schemas.find((schema) => schema.id === USER_SCHEMA);
  const pagination = spc.pagination;
  const caps = [profile.maxPageSize, positive(spc.filter?.maxResults), positive(pagination?.maxPageSize)].filter((n): n is number => n !== undefined);
  const bulkSupported = spc.bulk?.supported === true;
  return {
    patch: spc.patch?.supported !== false,
    bulk: {
      supported: bulkSupported,
      // RFC 7643 §5 makes both REQUIRED when Bulk is supported; a service that leaves them out gets modest batches.
      maxOperations: positive(spc.bulk?.maxOperations) ?? 100,
      maxPayloadSize: positive(spc.bulk?.maxPayloadSize) ?? 1_048_576,
    },
    filter: { supported: spc.filter?.supported !== false, maxResults: positive(spc.filter?.maxResults) ?? 0 },
    etag: spc.etag?.supported === true,
    sort: spc.sort?.supported === true,
    paging: pagination?.cursor === true && (pagination.index === false || pagination.defaultPaginationMethod === 'cursor') ? 'cursor' : 'index',
    pageSize: Math.min(...caps),
    endpoints: { Users: endpoint('User', '/Users'), Groups: endpoint('Group', '/Groups') },
    userAttributes: new Set((userSchema?.attributes ?? []).map((attribute) => String(attribute.name ?? '').toLowerCase()).filter((name) => name !== '')),
    extensions: (userType?.schemaExtensions ?? []).map((extension) => extension.schema ?? '').filter((schema) => schema !== ''),
    schemas: schemas.length,
  };
}

/** Whether Bulk is used: offered by the service and not ruled out by the profile. */
export const usesBulk = (discovery: ScimDiscovery, profile: ScimProfile): boolean => discovery.bulk.supported && profile.bulk;

/** One line for `plan`: what the service offers and what usermig does with it. */
export function describeDiscovery(discovery: ScimDiscovery, profile: ScimProfile): string {
  const bulk = discovery.bulk.supported
    ? usesBulk(discovery, profile)
      ? `Bulk (≤${discovery.bulk.maxOperations} operations, ≤${Math.round(discovery.bulk.maxPayloadSize / 1024)} KiB per request)`
      : `Bulk offered but not used (profile ${profile.name})`
    : 'no Bulk';
  const filter = discovery.filter.supported ? `filter${discovery.filter.maxResults ? ` (≤${discovery.filter.maxResults} results)` : ''}` : 'no filter (lookups list everything)';
  return (
    `SCIM service (profile ${profile.name}): ${bulk}, ${filter}, ${discovery.patch ? 'PATCH' : 'no PATCH'}, ` +
    `${discovery.etag ? 'ETags (not needed: membership changes never depend on a read)' : 'no ETags'}, ` +
    `${discovery.paging} paging ${discovery.pageSize} a page, ${discovery.schemas} schemas, ` +
    `Users at ${discovery.endpoints.Users}, Groups at ${discovery.endpoints.Groups}` +
    (discovery.extensions.length > 0 ? `, User extensions ${discovery.extensions.join(' ')}` : '')
  );
}
