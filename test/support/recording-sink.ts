/** A SnapshotSink that keeps every record, for reader tests. */
import type {
  ContainerRecord,
  DirectoryRecord,
  GrantRecord,
  GroupRecord,
  MembershipRecord,
  PlaceRecord,
  ReferenceRecord,
  SnapshotSink,
  UserKeyRecord,
  UserRecord,
} from '../../src/model/snapshot.js';

export class RecordingSink implements SnapshotSink {
  directories: DirectoryRecord[] = [];
  users: UserRecord[] = [];
  userKeys: UserKeyRecord[] = [];
  groups: GroupRecord[] = [];
  memberships: MembershipRecord[] = [];
  grants: GrantRecord[] = [];
  containers: ContainerRecord[] = [];
  places: PlaceRecord[] = [];
  references: ReferenceRecord[] = [];
  directory(r: DirectoryRecord) { this.directories.push(r); }
  user(r: UserRecord) { this.users.push(r); }
  userKey(r: UserKeyRecord) { this.userKeys.push(r); }
  group(r: GroupRecord) { this.groups.push(r); }
  membership(r: MembershipRecord) { this.memberships.push(r); }
  grant(r: GrantRecord) { this.grants.push(r); }
  container(r: ContainerRecord) { this.containers.push(r); }
  place(r: PlaceRecord) { this.places.push(r); }
  reference(r: ReferenceRecord) { this.references.push(r); }
}
