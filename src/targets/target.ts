/**
 * Target specs: `local` (the local cloud of the workspace, started in-process), `atlassian`
 * (api.atlassian.com) or `atlassian:URL` (another base, such as a running `usermig cloud serve`).
 * Credentials come only from the environment: USERMIG_SCIM_DIRECTORY_ID and USERMIG_SCIM_TOKEN, and for
 * the organization API (to see groups outside the SCIM directory, and to write with `--via org`)
 * USERMIG_ORG_ID and USERMIG_ORG_TOKEN.
 */
import path from 'node:path';
import { startCloud } from '../cloud/server.js';
import { usageError } from '../model/errors.js';
import { ScimWriter, type CloudWriter, type Via } from './cloud-writer.js';
import { HttpClient, type RequestEvent } from './http-client.js';
import { OrgConnector } from './org-connector.js';
import { OrgWriter } from './org-writer.js';
import { ScimConnector } from './scim-connector.js';

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
  close(): Promise<void>;
}

const ATLASSIAN = 'https://api.atlassian.com';

function fromEnvironment(name: string, why = 'the target needs'): string {
  const value = process.env[name];
  if (!value) throw usageError(`${why} ${name} in the environment (credentials are never taken from the command line)`);
  return value;
}

export async function openTarget(spec: string, workspaceDir: string, onRequest?: (event: RequestEvent) => void, via: Via = 'scim'): Promise<Target> {
  const listen = onRequest ? { onRequest } : {};
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
  if (!match) throw usageError(`"${spec}" is not a target; use local, atlassian or atlassian:URL`);
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
