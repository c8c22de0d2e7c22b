/**
 * SCIM Bulk (RFC 7644 §3.7): many operations in one POST /Bulk, within the service's maxOperations and
 * maxPayloadSize. A user created in a request is referenced by `bulkId:<id>` in the membership PATCHes of
 * the same request, so a request carries creates and the memberships that need them. Each operation's
 * result is mapped back to the operation that asked for it (POSTs by bulkId, others in order per target
 * resource), so that the caller can record each one in its ledger.
 */
import { UsermigError } from '../model/errors.js';
import type { HttpClient } from './http-client.js';

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
/** Room left in maxPayloadSize for the envelope and for services that count bytes differently. */
const PAYLOAD_SHARE = 0.9;

export interface BulkOperation {
  method: 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Relative to the SCIM base: /Users, /Groups/{id}. */
  path: string;
  /** Required for POST; referenced as `bulkId:<bulkId>`. */
  bulkId?: string;
  data?: unknown;
}

export interface BulkResult {
  /** The HTTP status of this operation; 0 when the service did not process it (failOnErrors reached). */
  status: number;
  /** The id of the created resource (POST), from `location` or the response. */
  id?: string;
  detail?: string;
}

interface BulkResponseOperation {
  method?: string;
  bulkId?: string;
  location?: string;
  status?: string | number | { code?: string | number };
  response?: { id?: string; detail?: string; scimType?: string };
}

const statusOf = (value: BulkResponseOperation['status']): number => {
  const raw = typeof value === 'object' && value !== null ? value.code : value;
  const status = Number(raw);
  return Number.isFinite(status) ? status : 0;
};

const lastSegment = (location: string | undefined): string | undefined => {
  if (!location) return undefined;
  const segment = location.replace(/[?#].*$/, '').replace(/\/+$/, '').split('/').pop();
  return segment ? decodeURIComponent(segment) : undefined;
};

export class ScimBulk {
  readonly maxOperations: number;
  readonly maxPayloadSize: number;
  /** Bulk requests sent (for the benchmark and the apply summary). */
  requests = 0;

  constructor(
    private readonly http: HttpClient,
    limits: { maxOperations: number; maxPayloadSize: number },
  ) {
    this.maxOperations = limits.maxOperations;
    this.maxPayloadSize = Math.floor(limits.maxPayloadSize * PAYLOAD_SHARE);
  }

  /** The bytes an operation adds to a request. */
  size(operation: BulkOperation): number {
    return Buffer.byteLength(JSON.stringify(operation)) + 1;
  }

  /** The bytes of a request's envelope. */
  get envelope(): number {
    return Buffer.byteLength(JSON.stringify({ schemas: [BULK_REQUEST], failOnErrors: this.maxOperations, Operations: [] }));
  }

  /**
   * Sends the operations in one request and returns a result per operation, in their order. Every
   * operation is attempted (failOnErrors = their number); one the service did not process has status 0.
   * A request without an answer throws OutcomeUnknownError (from the client): each operation may or may
   * not have happened.
   */
  async send(operations: BulkOperation[]): Promise<BulkResult[]> {
    const body = { schemas: [BULK_REQUEST], failOnErrors: operations.length, Operations: operations };
    this.requests++;
    const response = await this.http.request<{ Operations?: BulkResponseOperation[]; detail?: string }>('POST', '/Bulk', body, 'create');
    if (response.status !== 200) {
      throw new UsermigError('unreachable', `the SCIM service refused a Bulk request of ${operations.length} operations (HTTP ${response.status}${response.body?.detail ? `: ${response.body.detail}` : ''})`);
    }
    const answered = response.body?.Operations ?? [];
    const results: BulkResult[] = operations.map(() => ({ status: 0 }));
    const byBulkId = new Map<string, number>();
    // Others in order per method and target resource (several PATCHes of one group may share a request).
    const byTarget = new Map<string, number[]>();
    operations.forEach((operation, index) => {
      if (operation.bulkId !== undefined && operation.method === 'POST') byBulkId.set(operation.bulkId, index);
      else {
        const key = `${operation.method} ${lastSegment(operation.path)}`;
        const list = byTarget.get(key) ?? [];
        list.push(index);
        byTarget.set(key, list);
      }
    });
    for (const item of answered) {
      const method = String(item.method ?? '').toUpperCase();
      let index: number | undefined;
      if (item.bulkId !== undefined && method === 'POST') index = byBulkId.get(item.bulkId);
      else {
        index = byTarget.get(`${method} ${lastSegment(item.location)}`)?.shift();
        // Without a location, the first unanswered operation of that method (services answer in order).
        if (index === undefined && item.location === undefined) {
          for (const [key, list] of byTarget) {
            if (key.startsWith(`${method} `) && list.length > 0) {
              index = list.shift();
              break;
            }
          }
        }
      }
      if (index === undefined) continue;
      const status = statusOf(item.status);
      const id = status < 300 ? (item.response?.id ?? lastSegment(item.location)) : undefined;
      const detail = status >= 300 ? [item.response?.scimType, item.response?.detail].filter(Boolean).join(': ') : undefined;
      results[index] = { status, ...(id !== undefined ? { id } : {}), ...(detail ? { detail } : {}) };
    }
    return results;
  }
}
