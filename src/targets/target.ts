/**
 * Target specs: `local` (the local cloud of the workspace, started in-process), `atlassian`
 * (api.atlassian.com) or `atlassian:URL` (another base, such as a running `usermig cloud serve`).
 * Credentials come only from the environment: USERMIG_SCIM_DIRECTORY_ID and USERMIG_SCIM_TOKEN, and for
 * the organization API (to see groups outside the SCIM directory) USERMIG_ORG_ID and USERMIG_ORG_TOKEN.
 */
import path from 'node:path';
import { startCloud } from '../cloud/server.js';
import { usageError } from '../model/errors.js';
import { HttpClient, type RequestEvent } from './http-client.js';
import { OrgConnector } from './org-connector.js';
import { ScimConnector } from './scim-connector.js';

export interface Target {
  spec: string;
  label: string;
  http: HttpClient;
  scim: ScimConnector;
  /** The organization API, when its credentials are known (USERMIG_ORG_ID and USERMIG_ORG_TOKEN). */
  org?: OrgConnector;
  close(): Promise<void>;
}

const ATLASSIAN = 'https://api.atlassian.com';

function fromEnvironment(name: string): string {
  const value = process.env[name];
  if (!value) throw usageError(`the target needs ${name} in the environment (credentials are never taken from the command line)`);
  return value;
}

export async function openTarget(spec: string, workspaceDir: string, onRequest?: (event: RequestEvent) => void): Promise<Target> {
  if (spec === 'local') {
    const cloud = await startCloud({ dataDir: path.join(workspaceDir, 'cloud'), port: 0 });
    const http = new HttpClient({ baseUrl: cloud.url, token: cloud.scimToken, label: 'the local cloud', ...(onRequest ? { onRequest } : {}) });
    const orgHttp = new HttpClient({ baseUrl: cloud.url, token: cloud.orgToken, label: 'the local cloud', ...(onRequest ? { onRequest } : {}) });
    return {
      spec,
      label: `the local cloud (${path.join(workspaceDir, 'cloud')})`,
      http,
      scim: new ScimConnector(http, cloud.directoryId),
      org: new OrgConnector(orgHttp, cloud.orgId),
      close: () => cloud.close(),
    };
  }
  const match = /^atlassian(?::(.+))?$/.exec(spec);
  if (!match) throw usageError(`"${spec}" is not a target; use local, atlassian or atlassian:URL`);
  const baseUrl = match[1] ?? ATLASSIAN;
  if (!/^https?:\/\//.test(baseUrl)) throw usageError(`"${baseUrl}" is not an http(s) URL`);
  const http = new HttpClient({ baseUrl, token: fromEnvironment('USERMIG_SCIM_TOKEN'), label: baseUrl, ...(onRequest ? { onRequest } : {}) });
  const orgId = process.env.USERMIG_ORG_ID;
  const orgToken = process.env.USERMIG_ORG_TOKEN;
  const org = orgId && orgToken ? new OrgConnector(new HttpClient({ baseUrl, token: orgToken, label: baseUrl, ...(onRequest ? { onRequest } : {}) }), orgId) : undefined;
  return { spec, label: baseUrl, http, scim: new ScimConnector(http, fromEnvironment('USERMIG_SCIM_DIRECTORY_ID')), ...(org ? { org } : {}), close: async () => undefined };
}
