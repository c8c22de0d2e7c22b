/**
 * The rows of the local cloud's store, as the org model reads and writes them (see store.ts for the tables).
 */
import type { ProductKey } from './catalog.js';

export interface AccountRow {
  account_id: string;
  email: string;
  email_lower: string;
  name: string;
  nickname: string;
  status: 'active' | 'inactive' | 'closed';
  email_verified: number;
  title: string | null;
  department: string | null;
  organization: string | null;
  timezone: string | null;
  locale: string | null;
  created_at: string;
  updated_at: string;
}

export interface DirectoryUserRow {
  account_id: string;
  status: 'active' | 'suspended';
  source: 'invited' | 'synced';
  added_at: string;
}

export type GroupKind = 'custom' | 'default-access' | 'built-in';

export interface GroupRow {
  id: string;
  name: string;
  name_lower: string;
  description: string;
  kind: GroupKind;
  /** The SCIM directory the group is synced from; such a group is managed by the identity provider only. */
  scim_directory_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface DomainRow {
  id: string;
  name: string;
  status: 'verified' | 'unverified';
  claim_type: 'dns' | 'http';
  created_at: string;
}

export interface ResourceRow {
  id: string;
  product: ProductKey;
  name: string;
  position: number;
}

export interface GroupRoleRow {
  group_id: string;
  resource_id: string;
  role: string;
  status: 'granted' | 'pending';
  is_default: number;
  assigned_at: string;
}

/** Profile fields an account carries (what SCIM syncs: display name, title, department, …). */
export interface AccountProfile {
  name?: string;
  title?: string | null;
  department?: string | null;
  organization?: string | null;
  timezone?: string | null;
  locale?: string | null;
}
