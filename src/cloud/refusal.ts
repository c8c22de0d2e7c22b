/**
 * A refusal is the local cloud's answer to a request it will not carry out (unknown user, name taken,
 * read-only group…). It is not a failure of usermig — those are UsermigError — but part of the service
 * being simulated: the routes turn it into Atlassian's error bodies, a SCIM `Error` for the SCIM API
 * (status, scimType) and an `ApplicationError` for the organization API (status, ADMIN code).
 */

/** RFC 7644 §3.12 error types, as the SCIM spec's `ScimError.scimType` lists them. */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

export interface RefusalCodes {
  scimType?: ScimType;
  /** The organization API's `ApplicationError.code`, e.g. `ADMIN-404-8`. */
  adminCode?: string;
}

const DEFAULT_ADMIN_CODES: Record<number, string> = {
  400: 'ADMIN-400-24',
  403: 'ADMIN-403-3',
  404: 'ADMIN-404-1',
  405: 'ADMIN-405-1',
  409: 'ADMIN-409-3',
  500: 'ADMIN-500-1',
};

export class Refusal extends Error {
  readonly status: number;
  readonly scimType: ScimType | undefined;
  readonly adminCode: string;

  constructor(status: number, detail: string, codes: RefusalCodes = {}) {
    super(detail);
    this.name = 'Refusal';
    this.status = status;
    this.scimType = codes.scimType;
    this.adminCode = codes.adminCode ?? DEFAULT_ADMIN_CODES[status] ?? `ADMIN-${status}-1`;
  }
}

export const isRefusal = (value: unknown): value is Refusal => value instanceof Refusal;

/** A request body or parameter that is not acceptable. */
export const invalid = (detail: string, codes: RefusalCodes = {}): Refusal =>
  new Refusal(400, detail, { scimType: 'invalidValue', adminCode: 'ADMIN-400-24', ...codes });
export const notFound = (detail: string, adminCode = 'ADMIN-404-1'): Refusal => new Refusal(404, detail, { adminCode });
export const forbidden = (detail: string, adminCode = 'ADMIN-403-5'): Refusal => new Refusal(403, detail, { adminCode });
export const conflict = (detail: string, codes: RefusalCodes = {}): Refusal =>
  new Refusal(409, detail, { scimType: 'uniqueness', ...codes });
