/** The Domains page: GET /api/domains (with user counts, filtered and paged), PUT /api/domains/:domain (trust or untrust). */
import type { Hono } from 'hono';
import { checkContext } from '../../assess/context.js';
import { setDomainTrust } from '../../decide/domain-trust.js';
import { domainRows, namedDomains } from '../../decide/domains.js';
import { usageError } from '../../model/errors.js';
import type { DomainDecisionResponse, DomainsDecisionResponse } from '../api-types.js';
import type { ServeContext } from '../context.js';
import { booleanQuery, jsonBody, optionalBoolean, optionalString, page, paging } from '../paging.js';

export function domainsRoutes(app: Hono, ctx: ServeContext): void {
  app.get('/api/domains', (c) => {
    const { estate, decisions } = ctx.live.current();
    const q = (c.req.query('q') ?? '').trim().toLowerCase();
    const trusted = booleanQuery(c, 'trusted');
    const rows = domainRows(estate, checkContext(estate, decisions)).filter((row) => (q === '' || row.domain.includes(q)) && (trusted === undefined || row.trusted === trusted));
    return c.json(page(rows, paging(c)));
  });

  app.put('/api/domains', async (c) => {
    const body = await jsonBody(c);
    const trusted = optionalBoolean(body, 'trusted');
    if (trusted === undefined) throw usageError('trusted is needed: true or false');
    const all = optionalBoolean(body, 'all') ?? false;
    const listed = body.domains;
    if (listed !== undefined && (!Array.isArray(listed) || !listed.every((d) => typeof d === 'string'))) throw usageError('domains must be an array of domain names');
    if (all === (listed !== undefined)) throw usageError('give either domains or all: true');
    if (all && !trusted) throw usageError('untrust names its domains: withdrawing trust from all of them at once is not offered (DOM-01)');
    const reason = optionalString(body, 'reason');
    const force = optionalBoolean(body, 'force');
    let domains: string[];
    if (all) {
      const { estate, decisions } = ctx.live.current();
      domains = domainRows(estate, checkContext(estate, decisions)).map((row) => row.domain);
    } else domains = namedDomains(listed as string[]);
    const { changed, message } = setDomainTrust(ctx.live.db, domains, trusted, { ...(reason !== undefined ? { reason } : {}), ...(force !== undefined ? { force } : {}) });
    const answer: DomainsDecisionResponse = { domains, trusted, changed, message };
    return c.json(answer);
  });

  app.put('/api/domains/:domain', async (c) => {
    const body = await jsonBody(c);
    const trusted = optionalBoolean(body, 'trusted');
    if (trusted === undefined) throw usageError('trusted is needed: true or false');
    const reason = optionalString(body, 'reason');
    const force = optionalBoolean(body, 'force');
    const [domain] = namedDomains([c.req.param('domain')]);
    const { changed, message } = setDomainTrust(ctx.live.db, [domain!], trusted, { ...(reason !== undefined ? { reason } : {}), ...(force !== undefined ? { force } : {}) });
    const answer: DomainDecisionResponse = { domain: domain!, trusted, changed: changed > 0, message };
    return c.json(answer);
  });
}
