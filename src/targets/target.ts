/**
 * Target specs: `local` (the local cloud of the workspace, started in-process), `atlassian`
 * (api.atlassian.com) or `atlassian:URL` (another base, such as a running `usermig cloud serve`).
 * Credentials come only from the environment: USERMIG_SCIM_DIRECTORY_ID and USERMIG_SCIM_TOKEN.
 */
import path from 'node:path';
import { startCloud } from '../cloud/server.js';
import { usageError } from '../model/errors.js';
import { HttpClient, type RequestEvent } from './http-client.js';
import { ScimConnector } from './scim-connector.js';

export interface Target {
  spec: string;
  label: string;
  http: HttpClient;
  scim: ScimConnector;
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
    return { spec, label: `the local cloud (${path.join(workspaceDir, 'cloud')})`, http, scim: new ScimConnector(http, cloud.directoryId), close: () => cloud.close() };
  }
  const match = /^atlassian(?::(.+))?$/.exec(spec);
  if (!match) throw usageError(`"${spec}" is not a target; use local, atlassian or atlassian:URL`);
  const baseUrl = match[1] ?? ATLASSIAN;
  if (!/^https?:\/\//.test(baseUrl)) throw usageError(`"${baseUrl}" is not an http(s) URL`);
  const http = new HttpClient({ baseUrl, token: fromEnvironment('USERMIG_SCIM_TOKEN'), label: baseUrl, ...(onRequest ? { onRequest } : {}) });
  return { spec, label: baseUrl, http, scim: new ScimConnector(http, fromEnvironment('USERMIG_SCIM_DIRECTORY_ID')), close: async () => undefined };
}
