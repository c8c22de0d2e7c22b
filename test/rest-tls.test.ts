/**
 * REST sources over https with a private CA, through the CLI: a loopback https contract server whose
 * certificate is signed by a CA made for the test with `openssl` (in a temp dir). With `--ca CA.pem` the
 * scan reads; without it, or with another CA, it fails with exit 3 (a source that cannot be reached,
 * PRODUCT.md) saying that the certificate was not trusted and what to do, and changes nothing; a --ca
 * file that does not exist is bad usage (exit 2).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crowdRoute, generateCrowdDirectory } from './support/crowd-contract.js';
import { tempDir } from './support/files.js';
import { generateJiraEstate, jiraRoute } from './support/jira-contract.js';
import { basic, startContractServer, usermigAsync, type ContractServer } from './support/rest-contract.js';
import { storedSource } from './support/slapd.js';

const TOKEN = 'pat-secret-0123456789';

function openssl(args: string[]): void {
  const result = spawnSync('openssl', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${result.stderr}`);
}

/** A CA, and a certificate for 127.0.0.1 signed by it. */
function makeCa(dir: string, name: string): { ca: string; caKey: string } {
  const ca = path.join(dir, `${name}.pem`);
  const caKey = path.join(dir, `${name}.key`);
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', caKey, '-out', ca, '-days', '2', '-subj', `/CN=${name}`]);
  return { ca, caKey };
}

function serverCertificate(dir: string, authority: { ca: string; caKey: string }): { key: string; cert: string } {
  const key = path.join(dir, 'server.key');
  const csr = path.join(dir, 'server.csr');
  const cert = path.join(dir, 'server.pem');
  const ext = path.join(dir, 'server.ext');
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', '/CN=127.0.0.1']);
  fs.writeFileSync(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
  openssl(['x509', '-req', '-in', csr, '-CA', authority.ca, '-CAkey', authority.caKey, '-CAcreateserial', '-out', cert, '-days', '2', '-extfile', ext]);
  return { key: fs.readFileSync(key, 'utf8'), cert: fs.readFileSync(cert, 'utf8') };
}

describe('REST sources over https with a private CA', () => {
  let dir: string;
  let ca: string;
  let otherCa: string;
  let jira: ContractServer;
  let crowd: ContractServer;

  beforeAll(async () => {
    dir = tempDir();
    const authority = makeCa(dir, 'corp-ca');
    otherCa = makeCa(dir, 'other-ca').ca;
    ca = authority.ca;
    const tls = serverCertificate(dir, authority);
    jira = await startContractServer(jiraRoute(generateJiraEstate(120), { hasUserList: true }), `Bearer ${TOKEN}`, tls);
    crowd = await startContractServer(crowdRoute(generateCrowdDirectory(30)), basic('usermig', 'app-secret-42'), tls);
  });
  afterAll(async () => {
    await jira?.close();
    await crowd?.close();
  });

  it('without --ca the certificate is not trusted: exit 3 saying so and naming --ca, nothing changed', async () => {
    expect(jira.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const workspace = path.join(dir, 'refused');
    const result = await usermigAsync(['scan', `jira:${jira.url}/jira`, '--workspace', workspace], { USERMIG_JIRA_TOKEN: TOKEN });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/Jira source "jira" \(https:\/\/127\.0\.0\.1:\d+\/jira\): the server's TLS certificate was not trusted \(\w+\); if the server uses a private CA, give it with --ca FILE/);
    expect(result.stderr).toMatch(/nothing was changed in the workspace/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
    expect(jira.requests).toEqual([]); // refused before any request reached the server
  });

  it('with --ca naming the CA that signed the certificate, Jira and Crowd are read over https', async () => {
    const workspace = path.join(dir, 'trusted');
    const result = await usermigAsync(['scan', `jira:${jira.url}/jira`, `crowd:${crowd.url}/crowd`, '--ca', ca, '--workspace', workspace], {
      USERMIG_JIRA_TOKEN: TOKEN,
      USERMIG_CROWD_APP: 'usermig',
      USERMIG_CROWD_PASSWORD: 'app-secret-42',
    });
    expect(result.code, result.stderr).toBe(0);
    expect(storedSource(workspace, 'jira').users).toHaveLength(120);
    expect(storedSource(workspace, 'crowd').users).toHaveLength(30);
  });

  it('with --ca naming another CA: exit 3, telling to check that --ca names the right CA; the previous snapshot stays', async () => {
    const workspace = path.join(dir, 'trusted');
    const result = await usermigAsync(['scan', `jira:${jira.url}/jira`, '--ca', otherCa, '--workspace', workspace], { USERMIG_JIRA_TOKEN: TOKEN });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/TLS certificate was not trusted .*check that --ca names the CA that signed the server certificate/);
    expect(storedSource(workspace, 'jira').users).toHaveLength(120);
  });

  it('a --ca file that cannot be read is bad usage: exit 2 naming the file', async () => {
    const missing = path.join(dir, 'no-such-ca.pem');
    const result = await usermigAsync(['scan', `jira:${jira.url}/jira`, '--ca', missing, '--workspace', path.join(dir, 'missing')], { USERMIG_JIRA_TOKEN: TOKEN });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`cannot read the CA file given with --ca (${missing})`);
  });
});
