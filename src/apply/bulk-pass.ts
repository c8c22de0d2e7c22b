/**
 * The Bulk pass of apply against a SCIM service that offers /Bulk (RFC 7644 §3.7): the plan's operations
 * packed into as few requests as the service's maxOperations and maxPayloadSize allow, in an order that
 * lets a request carry a user's create together with the membership PATCH that needs it, by a
 * `bulkId:` reference: email changes, then groups, then for each membership chunk the accounts it needs
 * and the chunk itself, then the accounts in no group, then (with --prune) removals.
 *
 * Every operation of a request is recorded as intended before it is sent, and as done or failed from its
 * own result. What fails (a 409, a reference to a create that failed, an operation the service did not
 * process), and what could not be put into Bulk, is left to the executor's one-by-one phases, which adopt
 * on 409. A request without an answer leaves its operations intended: the phases then adopt what exists
 * as this plan's own. A request refused as a whole stops the use of Bulk for the run.
 */
import { isUsermigError } from '../model/errors.js';
import type { Operation } from '../plan/operations.js';
import type { PlanFile } from '../plan/plan-file.js';
import type { CloudState } from '../targets/cloud-writer.js';
import { OutcomeUnknownError } from '../targets/http-client.js';
import type { BulkOperation, ScimBulk } from '../targets/scim-bulk.js';
import type { GenericScimConnector } from '../targets/scim-generic.js';
import type { Db } from '../workspace/workspace.js';
import type { Ledger } from './ledger.js';

interface Item {
  seq: number;
  operation: Operation;
}

interface Packed extends Item {
  request: BulkOperation;
  /** Sent by an earlier run of this plan without its answer recorded. */
  ours: boolean;
}

export interface BulkPassContext {
  prune: boolean;
  state: CloudState;
  /** Lower-case group name → id, kept up to date by settle. */
  groupIds: Map<string, string>;
  /** Filled with the operations that an earlier run had sent (for the one-by-one phases' adoption). */
  earlier: Set<number>;
  /** Filled with the operations this pass finished. */
  inBulk: Set<number>;
  /** Records a finished operation: account or group id, the user id (email change) or the group id (members). */
  settle: (seq: number, operation: Operation, id: string, ours: boolean) => void;
  onSettled: (count: number) => void;
  /** Awaited before each Bulk request is sent (a paused apply holds here). */
  gate?: () => Promise<void>;
}

const bulkIdOf = (seq: number): string => `op${seq}`;

/**
 * bulkId references in one operation's data. RFC 7644 §3.7.2 allows any number, but SCIMMY 1.3.5 resolves
 * only the last of them (each replacement starts again from the original data), and a server that keeps
 * what it cannot resolve stores `bulkId:…` as a member. One reference is resolved by every server; a chunk
 * that references more of the batch's creates goes in the next request, when their ids are known.
 */
const REFERENCES_PER_OPERATION = 1;

/** The order of the pass: creates next to the memberships that reference them. */
function ordered(items: Item[]): Item[] {
  const of = (kind: Operation['kind']) => items.filter((item) => item.operation.kind === kind);
  const accounts = new Map<string, Item>();
  for (const item of of('create-account')) if (item.operation.kind === 'create-account') accounts.set(item.operation.email, item);
  const out: Item[] = [...of('change-email'), ...of('create-group')];
  const placed = new Set<number>();
  for (const item of of('add-members')) {
    if (item.operation.kind !== 'add-members') continue;
    for (const email of item.operation.emails) {
      const account = accounts.get(email);
      if (account && !placed.has(account.seq)) {
        placed.add(account.seq);
        out.push(account);
      }
    }
    out.push(item);
  }
  for (const account of accounts.values()) if (!placed.has(account.seq)) out.push(account);
  out.push(...of('remove-members'));
  return out;
}

export async function bulkPass(db: Db, plan: PlanFile, ledger: Ledger, bulk: ScimBulk, scim: GenericScimConnector, context: BulkPassContext): Promise<number> {
  const { state, groupIds } = context;
  const pending = plan.operations
    .map((operation, seq) => ({ operation, seq }))
    .filter(({ operation, seq }) => !ledger.finished(seq) && (operation.kind !== 'remove-members' || context.prune));
  for (const { seq } of pending) if (ledger.intended(seq)) context.earlier.add(seq);

  let settled = 0;
  let batch: Packed[] = [];
  let bytes = bulk.envelope;
  /** Emails and lower-case group names created by an operation of the batch being filled → its bulkId. */
  const createdInBatch = new Map<string, string>();
  let broken = false;

  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    if (context.gate) await context.gate();
    const items = batch;
    batch = [];
    bytes = bulk.envelope;
    createdInBatch.clear();
    db.transaction(() => {
      for (const item of items) ledger.record(item.seq, item.operation, 'intent');
    })();
    let results;
    try {
      results = await bulk.send(items.map((item) => item.request));
    } catch (error) {
      if (error instanceof OutcomeUnknownError) {
        // It may have happened: left intended, so that the one-by-one phases adopt it as this plan's own.
        for (const item of items) context.earlier.add(item.seq);
        return;
      }
      if (!isUsermigError(error) || error.kind !== 'unreachable') throw error;
      broken = true;
      db.transaction(() => {
        for (const item of items) ledger.record(item.seq, item.operation, 'failed', null, error.message);
      })();
      return;
    }
    db.transaction(() => {
      items.forEach((item, index) => {
        const outcome = results[index] ?? { status: 0 };
        const ok = outcome.status >= 200 && outcome.status < 300;
        const id = item.operation.kind === 'create-account' || item.operation.kind === 'create-group' ? outcome.id : idOfTarget(item);
        if (ok && id !== undefined) {
          context.settle(item.seq, item.operation, id, item.ours);
          context.inBulk.add(item.seq);
          settled++;
        } else if (ok) {
          // Done, but the service did not say the new id: the one-by-one phase finds and adopts it.
          context.earlier.add(item.seq);
        } else {
          // Surely not done (refused, or not processed): the one-by-one phases try it again.
          if (item.ours) context.earlier.add(item.seq);
          const why = outcome.status === 0 ? 'not processed in its Bulk request' : `refused in Bulk (HTTP ${outcome.status}${outcome.detail ? `: ${outcome.detail}` : ''})`;
          ledger.record(item.seq, item.operation, 'failed', null, why);
        }
      });
    })();
    context.onSettled(settled);
  };

  /** The id an operation targets, from its path (email changes and membership PATCHes). */
  const idOfTarget = (item: Packed): string | undefined => {
    const last = item.request.path.split('/').pop();
    return last ? decodeURIComponent(last) : undefined;
  };

  /** The Bulk form of an operation against what is known now, or undefined when it cannot go in Bulk yet. */
  const build = (item: Item): BulkOperation | 'after-flush' | undefined => {
    const operation = item.operation;
    switch (operation.kind) {
      case 'change-email': {
        const id = state.idByEmail.get(operation.from) ?? state.idByEmail.get(operation.email);
        if (!id) return undefined;
        return { method: 'PATCH', path: scim.path('Users', id), data: scim.changeEmailBody(operation) };
      }
      case 'create-account':
        return {
          method: 'POST',
          path: scim.path('Users'),
          bulkId: bulkIdOf(item.seq),
          data: scim.userBody({ email: operation.email, displayName: operation.displayName, active: true }),
        };
      case 'create-group':
        return { method: 'POST', path: scim.path('Groups'), bulkId: bulkIdOf(item.seq), data: scim.groupBody(operation.name) };
      case 'add-members':
      case 'remove-members': {
        if (operation.emails.length > scim.profile.maxMembersPerPatch) return undefined;
        // Perhaps sent by an interrupted run: the one-by-one phase checks which members still need it.
        if (context.earlier.has(item.seq)) return undefined;
        const lower = operation.group.toLowerCase();
        const groupId = groupIds.get(lower);
        // A group created in this very batch has no id yet, and a path cannot hold a bulkId reference.
        if (!groupId) return createdInBatch.has(`group ${lower}`) ? 'after-flush' : undefined;
        const values: string[] = [];
        let references = 0;
        for (const email of operation.emails) {
          const id = state.idByEmail.get(email);
          const reference = createdInBatch.get(`account ${email}`);
          if (id !== undefined) values.push(id);
          else if (reference !== undefined && operation.kind === 'add-members') {
            values.push(`bulkId:${reference}`);
            references++;
          } else return undefined; // its account failed, or is not there: the one-by-one phases deal with it
        }
        if (references > REFERENCES_PER_OPERATION) return 'after-flush';
        const data = operation.kind === 'add-members' ? scim.addMembersBody(values) : scim.removeMembersBody(values);
        return { method: 'PATCH', path: scim.path('Groups', groupId), data };
      }
    }
  };

  /** Operations waiting for the batch being filled to be sent (they need ids it will give). */
  let deferred: Item[] = [];
  const push = (item: Item, request: BulkOperation, size: number): void => {
    batch.push({ ...item, request, ours: context.earlier.has(item.seq) });
    bytes += size;
    if (item.operation.kind === 'create-account') createdInBatch.set(`account ${item.operation.email}`, bulkIdOf(item.seq));
    if (item.operation.kind === 'create-group') createdInBatch.set(`group ${item.operation.name.toLowerCase()}`, bulkIdOf(item.seq));
  };
  /** Sends the batch, then starts the next one with what waited for it. */
  const next = async (): Promise<void> => {
    await flush();
    const waiting = deferred;
    deferred = [];
    // Their creates were in the batch just sent: ids now (or failed, and left to the one-by-one phases).
    for (const item of waiting) if (!broken) await consider(item, false);
  };
  const consider = async (item: Item, mayDefer = true): Promise<void> => {
    let request = build(item);
    if (request === 'after-flush') {
      if (mayDefer) deferred.push(item);
      return;
    }
    if (request === undefined) return;
    let size = bulk.size(request);
    if (batch.length >= bulk.maxOperations || bytes + size > bulk.maxPayloadSize) {
      await next();
      if (broken) return;
      request = build(item);
      if (request === 'after-flush') {
        if (mayDefer) deferred.push(item);
        return;
      }
      if (request === undefined) return;
      size = bulk.size(request);
    }
    push(item, request, size);
  };

  for (const item of ordered(pending)) {
    if (broken) break;
    await consider(item);
  }
  while (!broken && (batch.length > 0 || deferred.length > 0)) await next();
  return settled;
}
