/**
 * The SCIM discovery documents (RFC 7643 §5–7, TARGETS 6.2) with what Atlassian supports: PATCH yes; Bulk,
 * sorting, ETags and password changes no; filters yes, pages of at most 100; Bearer tokens. The spec types
 * these bodies only as strings, so their shape follows the RFC.
 */
import { SCHEMA } from './scim-resources.js';

export const MAX_PAGE = 100;

const CORE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
const RESOURCE_TYPE = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SPC = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';

interface AttributeOptions {
  multiValued?: boolean;
  required?: boolean;
  caseExact?: boolean;
  mutability?: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  returned?: 'always' | 'never' | 'default' | 'request';
  uniqueness?: 'none' | 'server' | 'global';
  subAttributes?: Array<Record<string, unknown>>;
  referenceTypes?: string[];
  canonicalValues?: string[];
}

function attribute(name: string, type: string, description: string, options: AttributeOptions = {}): Record<string, unknown> {
  return {
    name,
    type,
    multiValued: options.multiValued ?? false,
    description,
    required: options.required ?? false,
    caseExact: options.caseExact ?? false,
    mutability: options.mutability ?? 'readWrite',
    returned: options.returned ?? 'default',
    uniqueness: options.uniqueness ?? 'none',
    ...(options.subAttributes ? { subAttributes: options.subAttributes } : {}),
    ...(options.referenceTypes ? { referenceTypes: options.referenceTypes } : {}),
    ...(options.canonicalValues ? { canonicalValues: options.canonicalValues } : {}),
  };
}

const text = (name: string, description: string, options: AttributeOptions = {}) => attribute(name, 'string', description, options);

const multiValueParts = (what: string) => [
  text('value', `The ${what}.`),
  text('type', `The kind of ${what}, e.g. work.`, { canonicalValues: ['work', 'home', 'other'] }),
  attribute('primary', 'boolean', `Whether this is the primary ${what}.`),
];

const USER_ATTRIBUTES = [
  text('userName', 'Unique identifier for the user, typically the email address.', { required: true, uniqueness: 'server' }),
  attribute('name', 'complex', "The components of the user's name.", {
    subAttributes: ['formatted', 'familyName', 'givenName', 'middleName', 'honorificPrefix', 'honorificSuffix'].map((part) => text(part, `The ${part} of the name.`)),
  }),
  text('displayName', 'The name shown in the products; setting it overwrites the first and last names.'),
  text('nickName', 'The casual name of the user.'),
  text('title', 'Job title.'),
  text('preferredLanguage', 'Preferred language, e.g. en-US.'),
  text('department', 'Department.'),
  text('organization', 'Organization.'),
  text('timezone', 'Time zone, e.g. America/Los_Angeles.'),
  attribute('active', 'boolean', "The user's administrative status."),
  attribute('emails', 'complex', 'Email addresses; exactly one is primary.', { multiValued: true, required: true, subAttributes: multiValueParts('email address') }),
  attribute('phoneNumbers', 'complex', 'Phone numbers.', { multiValued: true, subAttributes: multiValueParts('phone number') }),
  attribute('groups', 'complex', 'The groups the user belongs to; change membership through Groups.', {
    multiValued: true,
    mutability: 'readOnly',
    subAttributes: [
      text('value', 'The id of the group.', { mutability: 'readOnly' }),
      attribute('$ref', 'reference', 'The URI of the group.', { mutability: 'readOnly', referenceTypes: ['Group'] }),
      text('display', 'The name of the group.', { mutability: 'readOnly' }),
      text('type', 'direct', { mutability: 'readOnly', canonicalValues: ['direct'] }),
    ],
  }),
];

const GROUP_ATTRIBUTES = [
  text('displayName', 'The name of the group; it cannot be changed once synced.', { required: true, uniqueness: 'server' }),
  attribute('members', 'complex', 'The members of the group: users only.', {
    multiValued: true,
    subAttributes: [
      text('value', 'The id of the SCIM user.', { mutability: 'immutable' }),
      attribute('$ref', 'reference', 'The URI of the user.', { mutability: 'immutable', referenceTypes: ['User'] }),
      text('display', 'The userName of the member.', { mutability: 'readOnly' }),
      text('type', 'User', { mutability: 'immutable', canonicalValues: ['User'] }),
    ],
  }),
];

const ENTERPRISE_ATTRIBUTES = [text('organization', 'Organization.'), text('department', 'Department.')];

function schemaDocument(id: string, name: string, description: string, attributes: unknown[], base: string): Record<string, unknown> {
  return { schemas: [CORE_SCHEMA], id, name, description, attributes, meta: { resourceType: 'Schema', location: `${base}/Schemas/${id}` } };
}

export function schemaDocuments(base: string): Record<string, Record<string, unknown>> {
  return {
    [SCHEMA.user]: schemaDocument(SCHEMA.user, 'User', 'User account', USER_ATTRIBUTES, base),
    [SCHEMA.group]: schemaDocument(SCHEMA.group, 'Group', 'Group', GROUP_ATTRIBUTES, base),
    [SCHEMA.enterprise]: schemaDocument(SCHEMA.enterprise, 'EnterpriseUser', 'Enterprise user', ENTERPRISE_ATTRIBUTES, base),
  };
}

export function resourceTypes(base: string): Record<string, Record<string, unknown>> {
  return {
    User: {
      schemas: [RESOURCE_TYPE],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'User account',
      schema: SCHEMA.user,
      schemaExtensions: [
        { schema: SCHEMA.enterprise, required: false },
        { schema: SCHEMA.atlassian, required: false },
      ],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
    },
    Group: {
      schemas: [RESOURCE_TYPE],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'Group',
      schema: SCHEMA.group,
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Group` },
    },
  };
}

export function serviceProviderConfig(base: string): Record<string, unknown> {
  return {
    schemas: [SPC],
    documentationUri: 'https://developer.atlassian.com/cloud/admin/user-provisioning/rest/intro/',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_PAGE },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'The directory API key as a Bearer token',
        specUri: 'https://www.rfc-editor.org/info/rfc6750',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

/** A SCIM ListResponse of a complete collection (discovery endpoints do not page). */
export const listOf = (resources: unknown[]): Record<string, unknown> => ({
  schemas: [SCHEMA.list],
  totalResults: resources.length,
  startIndex: 1,
  itemsPerPage: resources.length,
  Resources: resources,
});
