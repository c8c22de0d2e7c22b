/**
 * Executes a plan against a target: accounts first, then groups, then memberships, each operation
 * written to the ledger before it is sent and after it is answered. A resumed apply skips what the ledger
 * says is done; what was only intended is done again safely (creates adopt what exists; adding a member
 * twice changes nothing). Removals run only with --prune.
 *
 * An operation that fails is recorded as failed and left for the next run, and the others go on, so that
 * every run gets as far as it can (TARGETS.md §4.2.2: park the item); the run then fails naming what is
 * left. Refused credentials, or a run of failures in a row (the target is down), stop the run at once.
 */
import { isUsermigError, UsermigError } from '../model/errors.js';
import type { Operation } from '../plan/operations.js';
import type { PlanFile } from '../plan/plan-file.js';
import type { CloudState } from '../targets/cloud-writer.js';
import type { Target } from '../targets/target.js';
import type { Db } from '../workspace/workspace.js';
import { bulkPass } from './bulk-pass.js';
import { Ledger } from './ledger.js';

export interface ApplyOptions {
  prune?: boolean;
  onProgress?: (done: number, total: number) => void;
  /** The cloud as the plan's check saw it; apply keeps it up to date with what it does. Read when absent. */
  state?: CloudState;
  /** Called when apply adopts an account or group that neither the state nor this plan's earlier runs knew. */
  onForeignAdoption?: () => void;
  /**
   * Awaited before each operation (and each Bulk request) is sent: a pause holds it, so that no new
   * operation starts while the ones in flight finish (the dashboard's pause and resume).
   */
  gate?: () => Promise<void>;
  /** Called as an operation fails and is parked for the next run, with what went wrong. */
  onOperationFailed?: (operation: Operation, message: string) => void;
}

export interface ApplyResult {
  created: { accounts: number; groups: number };
  adopted: { accounts: number; groups: number };
  membersAdded: number;
  membersRemoved: number;
  skipped: number;
  resumed: boolean;
}

const PHASES: Array<Operation['kind']> = ['change-email', 'create-account', 'create-group', 'add-members', 'remove-members'];
/** Failures in a row after which the target is taken to be down and the run stops. */
const FAILURES_IN_A_ROW = 10;

interface Queued {
  seq: number;
  operation: Operation;
}

/**
 * Membership chunks spread evenly over their phase instead of group after group, so that the requests in
 * flight together change different groups: the chunks of one large group, all sent at once, would queue
 * on that group at the server (every PATCH rewrites the group, at a cost that grows with its size).
 */
export function spreadByGroup(queue: Queued[]): Queued[] {
  const chunks = new Map<string, number>();
  for (const { operation } of queue) if ('group' in operation) chunks.set(operation.group, (chunks.get(operation.group) ?? 0) + 1);
  const seen = new Map<string, number>();
  const position = (operation: Operation): number => {
    if (!('group' in operation)) return 0;
    const index = seen.get(operation.group) ?? 0;
    seen.set(operation.group, index + 1);
    return (index + 0.5) / (chunks.get(operation.group) ?? 1);
  };
  return queue
    .map((item) => ({ item, at: position(item.operation) }))
    .sort((a, b) => a.at - b.at || a.item.seq - b.item.seq)
    .map(({ item }) => item);
}

export async function applyPlan(db: Db, plan: PlanFile, target: Target, options: ApplyOptions = {}): Promise<ApplyResult> {
  const ledger = new Ledger(db, plan.id, target.spec, target.via);
  const state = options.state ?? (await target.writer.readState());
  const groupIds = new Map([...state.groups.entries()].map(([lower, group]) => [lower, group.id]));
  const result: ApplyResult = {
    created: { accounts: 0, groups: 0 },
    adopted: { accounts: 0, groups: 0 },
    membersAdded: 0,
    membersRemoved: 0,
    skipped: 0,
    resumed: ledger.resuming,
  };
  let done = 0;
  const total = plan.operations.length;
  const failed: Array<{ operation: Operation; message: string }> = [];
  /** What failed this run, by email or lower-case group name: memberships that need it wait for the next run. */
  const missing = new Set<string>();
  let inARow = 0;
  let stop: unknown;

  /** Operations an earlier run of this plan sent without recording the answer, before this run's Bulk pass. */
  const earlier = new Set<number>();

  // What each kind of operation leaves behind once the target has done it: the state, the counts, the ledger.
  const accountDone = (seq: number, operation: Extract<Operation, { kind: 'create-account' }>, id: string, adopted: boolean, ours: boolean): void => {
    state.idByEmail.set(operation.email, id);
    state.emailById.set(id, operation.email);
    if (!state.accounts.has(operation.email)) {
      state.accounts.set(operation.email, { id, active: true });
      if (adopted && !ours) options.onForeignAdoption?.();
    }
    if (adopted) result.adopted.accounts++;
    else result.created.accounts++;
    ledger.migrated(operation.email, operation.keys ?? []);
    ledger.record(seq, operation, 'done', id, adopted && !ours ? 'adopted: the account existed' : '');
  };
  const emailChanged = (seq: number, operation: Extract<Operation, { kind: 'change-email' }>, id: string): void => {
    renameAccount(state, operation.from, operation.email, id, operation.keepsGroups);
    ledger.migrated(operation.email, operation.keys ?? []);
    ledger.record(seq, operation, 'done', id);
  };
  const groupDone = (seq: number, operation: Extract<Operation, { kind: 'create-group' }>, id: string, adopted: boolean, ours: boolean): void => {
    groupIds.set(operation.name.toLowerCase(), id);
    if (!state.groups.has(operation.name.toLowerCase())) {
      state.groups.set(operation.name.toLowerCase(), { id, name: operation.name, members: new Set() });
      if (adopted && !ours) options.onForeignAdoption?.();
    }
    if (adopted) result.adopted.groups++;
    else result.created.groups++;
    ledger.record(seq, operation, 'done', id, adopted && !ours ? 'adopted: the group existed' : '');
  };
  const membersDone = (seq: number, operation: Extract<Operation, { kind: 'add-members' | 'remove-members' }>, groupId: string): void => {
    const members = state.groups.get(operation.group.toLowerCase())?.members;
    if (operation.kind === 'add-members') {
      for (const email of operation.emails) members?.add(email);
      ledger.memberships(operation.group, operation.emails, true);
      result.membersAdded += operation.emails.length;
    } else {
      for (const email of operation.emails) members?.delete(email);
      ledger.memberships(operation.group, operation.emails, false);
      result.membersRemoved += operation.emails.length;
    }
    ledger.record(seq, operation, 'done', groupId);
  };

  const run = async (seq: number, operation: Operation): Promise<void> => {
    if (ledger.finished(seq)) return;
    if (operation.kind === 'remove-members' && !options.prune) {
      ledger.record(seq, operation, 'skipped', null, 'removals run only with --prune');
      result.skipped++;
      return;
    }
    // Adopting what an interrupted earlier run of this plan created is not adopting someone else's object.
    const ours = ledger.intended(seq) || earlier.has(seq);
    ledger.record(seq, operation, 'intent');
    switch (operation.kind) {
      case 'create-account': {
        const { id, adopted } = await target.writer.createAccount({ email: operation.email, displayName: operation.displayName });
        accountDone(seq, operation, id, adopted, ours);
        return;
      }
      case 'change-email': {
        const id = state.idByEmail.get(operation.from) ?? state.idByEmail.get(operation.email);
        if (!id) throw new UsermigError('unreachable', `the account ${operation.from} is not in the cloud; plan again`);
        await target.writer.changeEmail(id, { email: operation.email, displayName: operation.displayName });
        emailChanged(seq, operation, id);
        return;
      }
      case 'create-group': {
        const { id, adopted } = await target.writer.createGroup(operation.name);
        groupDone(seq, operation, id, adopted, ours);
        return;
      }
      case 'add-members':
      case 'remove-members': {
        const groupId = groupIds.get(operation.group.toLowerCase());
        if (!groupId) throw new UsermigError('unreachable', `the group ${operation.group} is not in the cloud; plan again`);
        let ids = operation.emails.map((email) => {
          const id = state.idByEmail.get(email);
          if (!id) throw new UsermigError('unreachable', `the account ${email} is not in the cloud; plan again`);
          return id;
        });
        // A generic SCIM service may hold a member twice when an interrupted run's add is sent again (and may
        // refuse to remove a member that is gone): what an interrupted run may have sent is checked first.
        const service = target.scimService;
        if (ours && service) {
          const missing = new Set(await service.connector.notYetMembers(groupId, ids));
          ids = ids.filter((id) => missing.has(id) === (operation.kind === 'add-members'));
        }
        if (operation.kind === 'add-members') await target.writer.addMembers(groupId, ids);
        else await target.writer.removeMembers(groupId, ids);
        membersDone(seq, operation, groupId);
      }
    }
  };

  const park = (seq: number, operation: Operation, message: string): void => {
    ledger.record(seq, operation, 'failed', null, message);
    failed.push({ operation, message });
    options.onOperationFailed?.(operation, message);
    if (operation.kind === 'create-account' || operation.kind === 'change-email') missing.add(operation.email);
    if (operation.kind === 'create-group') missing.add(operation.name.toLowerCase());
  };

  /** A membership change whose group or account could not be created this run waits for the next one. */
  const waitsFor = (operation: Operation): string | undefined => {
    if (operation.kind !== 'add-members' && operation.kind !== 'remove-members') return undefined;
    if (missing.has(operation.group.toLowerCase())) return `waits for the group ${operation.group}, which could not be created`;
    const email = operation.emails.find((candidate) => missing.has(candidate));
    return email === undefined ? undefined : `waits for the account ${email}, which could not be created`;
  };

  /** Runs one operation; a failure is recorded and parked unless it means the whole run must stop. */
  const attempt = async ({ seq, operation }: Queued): Promise<void> => {
    const blocked = ledger.finished(seq) ? undefined : waitsFor(operation);
    if (blocked !== undefined) {
      park(seq, operation, blocked);
      return;
    }
    try {
      await run(seq, operation);
      inARow = 0;
    } catch (error) {
      if (!isUsermigError(error) || error.kind !== 'unreachable' || ++inARow >= FAILURES_IN_A_ROW) {
        stop ??= error;
        return;
      }
      park(seq, operation, error.message);
    }
  };

  // A SCIM service with Bulk: as much as possible in Bulk requests first; what they did not do (refused,
  // failed, or not sendable in Bulk) goes through the one-by-one phases below, which adopt on 409.
  const inBulk = new Set<number>();
  const service = target.scimService;
  if (service?.bulk) {
    done = await bulkPass(db, plan, ledger, service.bulk, service.connector, {
      prune: options.prune ?? false,
      state,
      groupIds,
      earlier,
      inBulk,
      settle: (seq, operation, id, ours) => {
        if (operation.kind === 'create-account') accountDone(seq, operation, id, false, ours);
        else if (operation.kind === 'create-group') groupDone(seq, operation, id, false, ours);
        else if (operation.kind === 'change-email') emailChanged(seq, operation, id);
        else membersDone(seq, operation, id);
      },
      onSettled: (count) => options.onProgress?.(count, total),
      ...(options.gate ? { gate: options.gate } : {}),
    });
  }

  // Phases in order; inside a phase, operations run side by side (the HTTP client paces them), as many at
  // once as the client lets through.
  for (const phase of PHASES) {
    const inPhase = plan.operations.map((operation, seq) => ({ operation, seq })).filter(({ operation, seq }) => operation.kind === phase && !inBulk.has(seq));
    const queue = phase === 'add-members' || phase === 'remove-members' ? spreadByGroup(inPhase) : inPhase;
    let cursor = 0;
    const workers = Array.from({ length: Math.min(target.http.maxInFlight, queue.length) }, async () => {
      while (stop === undefined) {
        if (options.gate) {
          // A gate that refuses (the dashboard stopping) ends this worker only: the others finish the
          // operations they have in flight and record their answers before the run stops.
          try {
            await options.gate();
          } catch (error) {
            stop ??= error;
            break;
          }
        }
        const next = queue[cursor++];
        if (!next || stop !== undefined) break;
        await attempt(next);
        options.onProgress?.(++done, total);
      }
    });
    await Promise.all(workers);
    if (stop !== undefined) throw stop;
  }
  if (failed.length > 0) {
    const first = failed[0] as { operation: Operation; message: string };
    throw new UsermigError(
      'unreachable',
      `${failed.length} of ${total} operations failed and were left for the next run (the first: ${describeOperation(first.operation)}: ${first.message}); ` +
        'run usermig apply again to resume',
    );
  }
  ledger.finish({
    accountsCreated: result.created.accounts,
    accountsAdopted: result.adopted.accounts,
    groupsCreated: result.created.groups,
    groupsAdopted: result.adopted.groups,
    membersAdded: result.membersAdded,
    membersRemoved: result.membersRemoved,
  });
  return result;
}

/** The state after an account's email changed: same id, same memberships, under the new email. */
function renameAccount(state: CloudState, from: string, to: string, id: string, keepsGroups: boolean): void {
  if (from === to || !state.accounts.has(from)) return;
  const account = state.accounts.get(from) as { id: string; active: boolean };
  state.accounts.delete(from);
  state.accounts.set(to, account);
  state.idByEmail.delete(from);
  state.idByEmail.set(to, id);
  state.emailById.set(id, to);
  // Unless the account keeps its identity, Atlassian drops it from its groups; the plan adds them back.
  for (const group of state.groups.values()) {
    if (group.members.delete(from) && keepsGroups) group.members.add(to);
  }
}

/** An operation in words, for messages. */
export function describeOperation(operation: Operation): string {
  switch (operation.kind) {
    case 'change-email':
      return `change the email of ${operation.from} to ${operation.email}`;
    case 'create-account':
      return `create the account ${operation.email}`;
    case 'create-group':
      return `create the group ${operation.name}`;
    case 'add-members':
      return `add ${operation.emails.length} members to ${operation.group}`;
    case 'remove-members':
      return `remove ${operation.emails.length} members from ${operation.group}`;
  }
}
