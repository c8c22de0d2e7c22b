/**
 * Executes a plan against a target: accounts first, then groups, then memberships, each operation
 * written to the ledger before it is sent and after it is answered. A resumed apply skips what the ledger
 * says is done; what was only intended is done again safely (creates adopt what exists; adding a member
 * twice changes nothing). Removals run only with --prune.
 */
import { UsermigError } from '../model/errors.js';
import type { Operation } from '../plan/operations.js';
import type { PlanFile } from '../plan/plan-file.js';
import { readScimState } from '../targets/scim-state.js';
import type { Target } from '../targets/target.js';
import type { Db } from '../workspace/workspace.js';
import { Ledger } from './ledger.js';

export interface ApplyOptions {
  prune?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface ApplyResult {
  created: { accounts: number; groups: number };
  adopted: { accounts: number; groups: number };
  membersAdded: number;
  membersRemoved: number;
  skipped: number;
  resumed: boolean;
}

const PHASES: Array<Operation['kind']> = ['create-account', 'create-group', 'add-members', 'remove-members'];
const PARALLEL = 8;

export async function applyPlan(db: Db, plan: PlanFile, target: Target, options: ApplyOptions = {}): Promise<ApplyResult> {
  const ledger = new Ledger(db, plan.id, target.spec);
  const state = await readScimState(target.scim);
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

  const run = async (seq: number, operation: Operation): Promise<void> => {
    if (ledger.finished(seq)) return;
    if (operation.kind === 'remove-members' && !options.prune) {
      ledger.record(seq, operation, 'skipped', null, 'removals run only with --prune');
      result.skipped++;
      return;
    }
    ledger.record(seq, operation, 'intent');
    switch (operation.kind) {
      case 'create-account': {
        const { user, adopted } = await target.scim.createUser({ email: operation.email, displayName: operation.displayName, active: true });
        state.idByEmail.set(operation.email, user.id);
        if (adopted) result.adopted.accounts++;
        else result.created.accounts++;
        ledger.record(seq, operation, 'done', user.id);
        return;
      }
      case 'create-group': {
        const { group, adopted } = await target.scim.createGroup(operation.name);
        groupIds.set(operation.name.toLowerCase(), group.id);
        if (adopted) result.adopted.groups++;
        else result.created.groups++;
        ledger.record(seq, operation, 'done', group.id);
        return;
      }
      case 'add-members':
      case 'remove-members': {
        const groupId = groupIds.get(operation.group.toLowerCase());
        if (!groupId) throw new UsermigError('unreachable', `the group ${operation.group} is not in the cloud; plan again`);
        const ids = operation.emails.map((email) => {
          const id = state.idByEmail.get(email);
          if (!id) throw new UsermigError('unreachable', `the account ${email} is not in the cloud; plan again`);
          return id;
        });
        if (operation.kind === 'add-members') {
          await target.scim.addMembers(groupId, ids);
          ledger.memberships(operation.group, operation.emails, true);
          result.membersAdded += ids.length;
        } else {
          await target.scim.removeMembers(groupId, ids);
          ledger.memberships(operation.group, operation.emails, false);
          result.membersRemoved += ids.length;
        }
        ledger.record(seq, operation, 'done', groupId);
      }
    }
  };

  // Phases in order; inside a phase, operations run side by side (the HTTP client paces them).
  for (const phase of PHASES) {
    const queue = plan.operations.map((operation, seq) => ({ operation, seq })).filter(({ operation }) => operation.kind === phase);
    const workers = Array.from({ length: Math.min(PARALLEL, queue.length) }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        await run(next.seq, next.operation);
        options.onProgress?.(++done, total);
      }
    });
    await Promise.all(workers);
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
