/**
 * Target specs: `local` (the local cloud of the workspace, started in-process), `atlassian`
 * (api.atlassian.com) or `atlassian:URL` (another base, such as a running `usermig cloud serve`).
 * Credentials come only from the environment: USERMIG_SCIM_DIRECTORY_ID and USERMIG_SCIM_TOKEN, and for
 * the organization API (to see groups outside the SCIM directory, and to write with `--via org`)
 * USERMIG_ORG_ID and USERMIG_ORG_TOKEN.
 *
 * `scim:URL` is any SCIM 2.0 service, URL its SCIM base (…/scim/v2): a Bearer token from
 * USERMIG_SCIM_TOKEN, or Basic credentials from USERMIG_SCIM_USER and USERMIG_SCIM_PASSWORD. Opening it
 * reads the service's discovery endpoints; `--scim-profile` names the dialect (scim-profiles.ts).
 */
import path from 'node:path';
import { startCloud } from '../cloud/server.js';
import { usageError } from '../model/errors.js';
import { ScimWriter, type CloudWriter, type Via } from './cloud-writer.js';
import { HttpClient, type RequestEvent } from './http-client.js';
import { OrgConnector } from './org-connector.js';
import { OrgWriter } from './org-writer.js';
import { ScimBulk } from './scim-bulk.js';
import { ScimConnector } from './scim-connector.js';
import { discoverScim, usesBulk, type ScimDiscovery } from './scim-discovery.js';
import { GenericScimConnector } from './scim-generic.js';
import { scimProfile, type ScimProfile } from './scim-profiles.js';

export interface Target {
  spec: string;
  label: string;
  /** The client the writes go through (SCIM's, or the org API's with `--via org`). */
  http: HttpClient;
  scim: ScimConnector;
  /** The organization API, when its credentials are known (USERMIG_ORG_ID and USERMIG_ORG_TOKEN). */
  org?: OrgConnector;
  /** How plan reads the cloud and apply writes it. */
  via: Via;
  writer: CloudWriter;
  /** Names this cloud and way of writing in the workspace's record of the cloud (no secret in it). */
  recordKey: string;
  /** A generic SCIM service (`scim:URL`): its dialect, what discovery found, and Bulk when it is used. */
  scimService?: { profile: ScimProfile; discovery: ScimDiscovery; connector: GenericScimConnector; bulk?: ScimBulk };
  close(): Promise<void>;
}

export interface TargetOptions {
  /** The dialect of a `scim:URL` service (generic when absent). */
  scimProfile?: string;
}

const ATLASSIAN = 'https://api.atlassian.com';

function fromEnvironment(name: string, why = 'the target needs'): string {
  const value = process.env[name];
  if (!value) throw usageError(`${why} ${name} in the environment (credentials are never taken from the command line)`);
  return value;
}

export async function openTarget(
  spec: string,
  workspaceDir: string,
  onRequest?: (event: RequestEvent) => void,
  via: Via = 'scim',
  options: TargetOptions = {},
): Promise<Target> {
  const listen = onRequest ? { onRequest } : {};
  if (spec.startsWith('scim:')) return openScimService(spec, via, options, listen);
  if (spec === 'local') {
    const cloud = await startCloud({ dataDir: path.join(workspaceDir, 'cloud'), port: 0 });
    const http = new HttpClient({ baseUrl: cloud.url, token: cloud.scimToken, label: 'the local cloud', ...listen });
    const orgHttp = new HttpClient({ baseUrl: cloud.url, token: cloud.orgToken, label: 'the local cloud', ...listen });
    const scim = new ScimConnector(http, cloud.directoryId);
    const org = new OrgConnector(orgHttp, cloud.orgId, cloud.orgDirectoryId);
    return {
      spec,
      label: `the local cloud (${path.join(workspaceDir, 'cloud')})`,
      http: via === 'org' ? orgHttp : http,
      scim,
      org,
      via,
      writer: via === 'org' ? new OrgWriter(org) : new ScimWriter(scim),
      recordKey: `local ${via === 'org' ? `org ${cloud.orgId}` : `scim ${cloud.directoryId}`}`,
      close: () => cloud.close(),
    };
  }
  const match = /^atlassian(?::(.+))?$/.exec(spec);
  if (!match) throw usageError(`"${spec}" is not a target; use local, atlassian, atlassian:URL or scim:URL`);
  const baseUrl = match[1] ?? ATLASSIAN;
  if (!/^https?:\/\//.test(baseUrl)) throw usageError(`"${baseUrl}" is not an http(s) URL`);
  if (via === 'org') {
    const why = '--via org needs';
    const orgHttp = new HttpClient({ baseUrl, token: fromEnvironment('USERMIG_ORG_TOKEN', why), label: baseUrl, ...listen });
    // The v2 directory id comes from GET /admin/v2/orgs/{orgId}/directories, on first use.
    const orgId = fromEnvironment('USERMIG_ORG_ID', why);
    const org = new OrgConnector(orgHttp, orgId);
    const scimToken = process.env.USERMIG_SCIM_TOKEN;
    const scimDirectory = process.env.USERMIG_SCIM_DIRECTORY_ID;
    const scim =
      scimToken && scimDirectory ? new ScimConnector(new HttpClient({ baseUrl, token: scimToken, label: baseUrl, ...listen }), scimDirectory) : undefined;
    return {
      spec,
      label: baseUrl,
      http: orgHttp,
      // SCIM is not needed to write through the org API; only what reads SCIM itself asks for its credentials.
      get scim(): ScimConnector {
        if (!scim) throw usageError('this needs USERMIG_SCIM_TOKEN and USERMIG_SCIM_DIRECTORY_ID in the environment');
        return scim;
      },
      org,
      via,
      writer: new OrgWriter(org),
      recordKey: `${baseUrl} org ${orgId}`,
      close: async () => undefined,
    };
  }
  const http = new HttpClient({ baseUrl, token: fromEnvironment('USERMIG_SCIM_TOKEN'), label: baseUrl, ...listen });
  const orgId = process.env.USERMIG_ORG_ID;
  const orgToken = process.env.USERMIG_ORG_TOKEN;
  const org = orgId && orgToken ? new OrgConnector(new HttpClient({ baseUrl, token: orgToken, label: baseUrl, ...listen }), orgId) : undefined;
  const directoryId = fromEnvironment('USERMIG_SCIM_DIRECTORY_ID');
  const scim = new ScimConnector(http, directoryId);
  const recordKey = `${baseUrl} scim ${directoryId}`;
  return { spec, label: baseUrl, http, scim, ...(org ? { org } : {}), via, writer: new ScimWriter(scim), recordKey, close: async () => undefined };
}

/**
 * `scim:URL`: the credentials from the environment (a token, or a user and password), never from the
 * command line; the record key names the service and the account, never the secret.
 */
async function openScimService(spec: string, via: Via, options: TargetOptions, listen: { onRequest?: (event: RequestEvent) => void }): Promise<Target> {
  if (via !== 'scim') throw usageError('a scim: target is written through SCIM; --via org is for Atlassian only');
  const baseUrl = spec.slice('scim:'.length).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]/.test(baseUrl)) throw usageError(`"${baseUrl}" is not an http(s) URL; use scim:https://HOST/scim/v2`);
  if (/^https?:\/\/[^/]*@/.test(baseUrl)) throw usageError('put no credentials in the URL: use USERMIG_SCIM_TOKEN, or USERMIG_SCIM_USER and USERMIG_SCIM_PASSWORD');
  const profile = scimProfile(options.scimProfile);
  const token = process.env.USERMIG_SCIM_TOKEN;
  const user = process.env.USERMIG_SCIM_USER;
  const password = process.env.USERMIG_SCIM_PASSWORD;
  let auth: { token: string; authorization?: string; who: string };
  if (token) auth = { token, who: 'token' };
  else if (user && password) auth = { token: '', authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`, who: `user ${user}` };
  else {
    throw usageError(
      'a scim: target needs USERMIG_SCIM_TOKEN (Bearer), or USERMIG_SCIM_USER and USERMIG_SCIM_PASSWORD (Basic), in the environment (credentials are never taken from the command line)',
    );
  }
  const http = new HttpClient({
    baseUrl,
    token: auth.token,
    ...(auth.authorization ? { authorization: auth.authorization } : {}),
    contentType: 'application/scim+json',
    label: baseUrl,
    ...listen,
  });
  const discovery = await discoverScim(http, profile);
  const connector = new GenericScimConnector(http, profile, discovery);
  const bulk = usesBulk(discovery, profile) ? new ScimBulk(http, discovery.bulk) : undefined;
  return {
    spec: `scim:${baseUrl}`,
    label: baseUrl,
    http,
    scim: connector,
    via,
    writer: new ScimWriter(connector),
    recordKey: `scim ${baseUrl} ${auth.who}`,
    scimService: { profile, discovery, connector, ...(bulk ? { bulk } : {}) },
    close: async () => undefined,
  };
}
