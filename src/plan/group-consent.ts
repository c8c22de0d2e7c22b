/**
 * Same-name groups merge in the cloud (RULES.md GR-01, GR-02, P2): the members of a source group whose
 * name exists in the organization join that group and inherit whatever it grants. usermig never does
 * that silently. A desired group that already exists, and that usermig did not create itself, needs the
 * administrator's consent (`usermig groups map NAME --to NAME`) or another name; and a group that exists
 * outside the SCIM directory cannot be written through SCIM at all.
 */
import type { BasisGroup } from './plan-basis.js';

export interface GroupConflicts {
  /** Cloud group names that exist already and would absorb a source group without consent. */
  needConsent: string[];
  /** Cloud group names that exist in the organization outside the SCIM directory. */
  outsideScim: string[];
}

export function groupConflicts(
  desiredGroups: readonly BasisGroup[],
  scimGroups: ReadonlySet<string>,
  organizationGroups: ReadonlyMap<string, string> | undefined,
  createdByUsermig: ReadonlySet<string>,
): GroupConflicts {
  const needConsent: string[] = [];
  const outsideScim: string[] = [];
  for (const group of desiredGroups) {
    const lower = group.lower;
    const inScim = scimGroups.has(lower);
    const inOrganization = organizationGroups?.has(lower) ?? false;
    if (!inScim && !inOrganization) continue;
    if (!inScim && inOrganization) outsideScim.push(organizationGroups?.get(lower) ?? group.name);
    if (!group.mapped && !createdByUsermig.has(lower)) needConsent.push(group.name);
  }
  return { needConsent: needConsent.sort(), outsideScim: outsideScim.sort() };
}
