// All database access for devices, groups, memberships and proof nonces.
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, In, Repository, SelectQueryBuilder } from 'typeorm';
import { nameKeyOf, serialKeyOf, tagKeyOf } from '@app/hub-api';
import type { DeviceNames } from '../audit/audit-labels';
import type { DeviceSnapshot } from '../common/hub-events';
import { chunks } from '../database/chunks';
import { forUpdate } from '../database/row-lock';
import { insertReturning } from '../database/insert-returning';
import { valuesParameter, ValuesColumnType } from '../database/dialect';
import { nameKeyContaining, nameKeysOf, orderByName } from '../database/name-search';
import { getManyPlain } from '../database/plain-rows';
import type { Tx } from '../database/transaction-runner';
import {
  DeviceEntity,
  DeviceGroupEntity,
  DeviceGroupMemberEntity,
  DeviceNonceEntity,
  HubEntity,
  RevokedCertificateEntity,
} from './device.entities';

/** Rows a page of the plan's read of every active device holds (policyStates). */
const PLAN_PAGE_SIZE = 500;

/** What planning a device's policy reads of it (DevicesRepository.policyStates). */
export type DevicePolicyState = Pick<
  DeviceEntity,
  'id' | 'status' | 'desiredPolicyVersion' | 'policyStatus' | 'policyDetail' | 'policyConflict'
>;

export interface DeviceFilter {
  groupId?: string;
  platform?: string;
  online?: boolean;
  status?: string;
  search?: string;
}

export interface PresenceUpdate {
  deviceId: string;
  online: boolean;
  lastSeenAt: Date;
  reportedState?: string;
  reportedAt?: Date;
}

/** A device `sweepDeadHubs` marked offline, and when it was last seen (ISO 8601, or null). */
export interface SweptDevice {
  deviceId: string;
  lastSeenAt: string | null;
}

/**
 * `changes` with `tagKey` set from `assetTag` when it is among them (null for no tag), and
 * `nameKey` and `nameSortKey` from `name` (by `nameKeysOf`, null for no name), so the unique key
 * on active devices' tags, the key the device search compares and the one the lists are ordered
 * by always follow what is written.
 */
function withKeys<T extends Partial<DeviceEntity>>(changes: T): T & Partial<DeviceEntity> {
  const keyed: T & Partial<DeviceEntity> = { ...changes };
  if (changes.assetTag !== undefined) {
    keyed.tagKey = changes.assetTag === null ? null : tagKeyOf(changes.assetTag);
  }
  if (changes.name !== undefined) {
    Object.assign(
      keyed,
      changes.name === null ? { nameKey: null, nameSortKey: null } : nameKeysOf(changes.name),
    );
  }
  return keyed;
}

@Injectable()
export class DevicesRepository {
  constructor(
    @InjectRepository(DeviceEntity) private readonly devices: Repository<DeviceEntity>,
    @InjectRepository(DeviceGroupEntity) private readonly groups: Repository<DeviceGroupEntity>,
    @InjectRepository(DeviceGroupMemberEntity)
    private readonly members: Repository<DeviceGroupMemberEntity>,
    @InjectRepository(DeviceNonceEntity) private readonly nonces: Repository<DeviceNonceEntity>,
  ) {}

  findById(id: string): Promise<DeviceEntity | null> {
    return this.devices.findOneBy({ id });
  }

  /**
   * The device as it is now, read inside `tx`, its row locked until `tx` ends on PostgreSQL
   * (SQLite's transactions run one at a time): for a change decided on what it reads, such as a
   * revocation recording the certificate it revokes, which a re-enrolment must not replace
   * between the read and the write.
   */
  findForUpdate(tx: Tx, id: string): Promise<DeviceEntity | null> {
    return forUpdate(tx.createQueryBuilder(DeviceEntity, 'd').where('d.id = :id', { id })).getOne();
  }

  /**
   * The device enrolled with this serial number in any capitals: the one with exactly this serial
   * if there is one, else the one whose `serial_key` (`serialKeyOf`, unique) is its key. A device
   * reporting "c02xk1" is the device enrolled as "C02XK1" (decisions.md, "One serial number, one
   * asset, whatever its capitals"). Exactly first, because a device that had no key after
   * migration 1764860000000 (an older one had its serial in other capitals) is still itself.
   */
  async findBySerial(serialNumber: string): Promise<DeviceEntity | null> {
    return (
      (await this.devices.findOneBy({ serialNumber })) ??
      (await this.devices.findOneBy({ serialKey: serialKeyOf(serialNumber) }))
    );
  }

  async findByIds(ids: readonly string[]): Promise<DeviceEntity[]> {
    const found: DeviceEntity[] = [];
    for (const part of chunks(ids)) {
      found.push(
        ...(await getManyPlain(
          this.devices.createQueryBuilder('d').where('d.id IN (:...ids)', { ids: part }),
        )),
      );
    }
    return found;
  }

  /**
   * What names each device, by id, for the audit log (issue 9): one query per 500 devices,
   * inside `tx` when given. Unknown ids are left out.
   */
  async namesOf(ids: readonly string[], tx?: Tx): Promise<Map<string, DeviceNames>> {
    const found = new Map<string, DeviceNames>();
    for (const part of chunks([...new Set(ids)])) {
      const rows = await (tx ? tx.getRepository(DeviceEntity) : this.devices)
        .createQueryBuilder('d')
        .select('d.id', 'id')
        .addSelect('d.name', 'name')
        .addSelect('d.asset_tag', 'assetTag')
        .addSelect('d.serial_number', 'serialNumber')
        .where('d.id IN (:...ids)', { ids: part })
        .getRawMany<DeviceNames>();
      rows.forEach((row) => found.set(row.id, row));
    }
    return found;
  }

  /** The desired state and policy status of each device, by id (no certificates, no history). */
  async snapshots(ids: readonly string[]): Promise<Map<string, DeviceSnapshot>> {
    const found = new Map<string, DeviceSnapshot>();
    for (const part of chunks(ids)) {
      const rows = await this.devices
        .createQueryBuilder('d')
        .select('d.id', 'id')
        .addSelect('d.status', 'status')
        .addSelect('d.desired_lock', 'desiredLock')
        .addSelect('d.desired_app_lock', 'desiredAppLock')
        .addSelect('d.desired_policy_version', 'desiredPolicyVersion')
        .addSelect('d.policy_status', 'policyStatus')
        .addSelect('d.policy_conflict', 'policyConflict')
        .where('d.id IN (:...ids)', { ids: part })
        .getRawMany<DeviceSnapshot & { id: string }>();
      for (const { id, ...snapshot } of rows) {
        // 1 or 0 on SQLite, true or false on PostgreSQL.
        found.set(id, { ...snapshot, policyConflict: Boolean(snapshot.policyConflict) });
      }
    }
    return found;
  }

  async findPage(
    filter: DeviceFilter,
    offset: number,
    limit: number,
  ): Promise<[DeviceEntity[], number]> {
    const query = this.devices.createQueryBuilder('d');
    if (filter.groupId) {
      // A subquery, not a join: TypeORM pages a joined query with a DISTINCT wrapper that cannot
      // resolve the raw-column ORDER BY below, and answered every group-filtered list with a 500.
      query.andWhere(
        'd.id IN (SELECT m.device_id FROM device_group_members m WHERE m.group_id = :groupId)',
        {
          groupId: filter.groupId,
        },
      );
    }
    if (filter.platform) {
      query.andWhere('d.platform = :platform', { platform: filter.platform });
    }
    if (filter.online !== undefined) {
      query.andWhere('d.online = :online', { online: filter.online });
    }
    if (filter.status) {
      query.andWhere('d.status = :status', { status: filter.status });
    }
    if (filter.search) {
      // The name by its key (any alphabet's capitals, alike on both databases); serial numbers
      // and tags are ASCII letters, digits, '.', '_' and '-' only, which LOWER() folds everywhere.
      const like = nameKeyContaining(filter.search);
      query.andWhere(
        new Brackets((where) => {
          where
            .where("d.name_key LIKE :like ESCAPE '\\'", { like })
            .orWhere("LOWER(d.serial_number) LIKE :like ESCAPE '\\'", { like })
            .orWhere("LOWER(d.asset_tag) LIKE :like ESCAPE '\\'", { like });
        }),
      );
    }
    return pageByName(query, offset, limit);
  }

  /**
   * Inserts a newly enrolled device, its `tagKey` made from its asset tag, its `nameKey` and
   * `nameSortKey` from its name and its `serialKey` from its serial number here; an asset tag
   * another active device has (by `tagKeyOf`) fails with a unique violation on `tag_key`, a
   * serial number another device has in any capitals (by `serialKeyOf`) with one on `serial_key`.
   */
  async insertDevice(
    tx: Tx,
    device: Omit<DeviceEntity, 'tagKey' | 'serialKey' | 'nameKey' | 'nameSortKey'>,
  ): Promise<void> {
    await tx.insert(
      DeviceEntity,
      withKeys({ ...device, serialKey: serialKeyOf(device.serialNumber) }),
    );
  }

  /**
   * Writes a device's changed columns (`tagKey` follows `assetTag`); an asset tag another active
   * device has fails with a unique violation on `tag_key`.
   */
  async updateDevice(tx: Tx, id: string, changes: Partial<DeviceEntity>): Promise<void> {
    await tx.update(DeviceEntity, { id }, withKeys(changes));
  }

  /** The active device other than `exceptId` whose asset tag is `tag` by `tagKeyOf`, if any. */
  findActiveByTag(tag: string, exceptId?: string): Promise<DeviceEntity | null> {
    const query = this.devices
      .createQueryBuilder('d')
      .where("d.tag_key = :key AND d.status = 'active'", { key: tagKeyOf(tag) });
    if (exceptId !== undefined) {
      query.andWhere('d.id <> :exceptId', { exceptId });
    }
    return query.getOne();
  }

  /**
   * Re-enrols a device: writes `changes` only if the device is still in the state the enrolment
   * decided on (same certificate, same status). False when a concurrent enrolment or revocation
   * got there first (issue 8 item 3: one winner, and the loser is told).
   */
  async reenrolDevice(
    tx: Tx,
    id: string,
    expected: Pick<DeviceEntity, 'certificateSerial' | 'status'>,
    changes: Partial<DeviceEntity>,
  ): Promise<boolean> {
    const result = await tx
      .createQueryBuilder()
      .update(DeviceEntity)
      .set(withKeys(changes))
      .where('id = :id AND certificate_serial = :serial AND status = :status', {
        id,
        serial: expected.certificateSerial,
        status: expected.status,
      })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  /** Revokes an active device; false when it was not active (already revoked, or gone). */
  async revokeDevice(tx: Tx, id: string, at: Date): Promise<boolean> {
    const result = await tx
      .createQueryBuilder()
      .update(DeviceEntity)
      .set({ status: 'revoked', revokedAt: at, online: false })
      .where("id = :id AND status = 'active'", { id })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  /**
   * Records a revoked certificate. A certificate is revoked once: a revoked device's certificate
   * is already here when it re-enrols, so a second row for it is ignored (issue 8 item 10: the
   * duplicate key answered that re-enrolment with a 500).
   */
  async insertRevokedCertificate(tx: Tx, row: RevokedCertificateEntity): Promise<void> {
    await tx
      .createQueryBuilder()
      .insert()
      .into(RevokedCertificateEntity)
      .values(row)
      .orIgnore()
      .execute();
  }

  /**
   * Writes many devices' presence in one statement per chunk: the new values travel as a VALUES
   * list joined to the devices by id (UPDATE ... FROM, in SQLite and PostgreSQL alike). This was
   * a CASE per column, which compared every row with every id in the chunk: four times slower.
   */
  /**
   * Writes many devices' presence in one statement per 150. With `hubId` (a cluster), an online
   * device is recorded as held by that hub, and an offline one is written only if no other hub
   * has taken it since: the old hub's late "gone" must not hide the device's new connection.
   */
  async applyPresence(
    tx: Tx,
    updates: readonly PresenceUpdate[],
    hubId: string | null = null,
  ): Promise<void> {
    const driver = tx.connection.driver;
    for (const part of chunks(updates, 150)) {
      const params: unknown[] = [];
      const slot = (value: unknown, type: ValuesColumnType = 'text') => {
        params.push(value);
        return valuesParameter(driver, params.length - 1, type);
      };
      const rows = part.map(
        (u) =>
          `(${slot(u.deviceId)}, ${slot(u.online, 'boolean')}, ${slot(u.lastSeenAt.toISOString())}, ${slot(
            u.reportedState ?? null,
          )}, ${slot(u.reportedState === undefined ? null : (u.reportedAt ?? u.lastSeenAt).toISOString())}${
            hubId === null ? '' : `, ${slot(hubId)}`
          })`,
      );
      // A device with no new report keeps the one it had (NULL here means "unchanged").
      await tx.query(
        hubId === null
          ? `UPDATE devices SET online = v.column2, last_seen_at = v.column3,
           reported_state = COALESCE(v.column4, devices.reported_state),
           reported_at = COALESCE(v.column5, devices.reported_at)
         FROM (VALUES ${rows.join(', ')}) AS v WHERE devices.id = v.column1`
          : `UPDATE devices SET online = v.column2, last_seen_at = v.column3,
           reported_state = COALESCE(v.column4, devices.reported_state),
           reported_at = COALESCE(v.column5, devices.reported_at),
           hub_id = CASE WHEN v.column2 THEN v.column6 ELSE devices.hub_id END
         FROM (VALUES ${rows.join(', ')}) AS v WHERE devices.id = v.column1
           AND (v.column2 OR devices.hub_id IS NULL OR devices.hub_id = v.column6)`,
        params,
      );
    }
  }

  // Hubs of a cluster (issue 10)

  /** Records a hub process that has just started, alive at `at`. */
  async addHub(tx: Tx, id: string, at: Date): Promise<void> {
    await tx.insert(HubEntity, { id, startedAt: at, heartbeatAt: at });
  }

  /**
   * A hub says it is alive at `at`. False when its row is gone: another hub took it for dead
   * (it was silent too long) and marked its devices offline.
   */
  async beatHub(tx: Tx, id: string, at: Date): Promise<boolean> {
    const result = await tx.update(HubEntity, { id }, { heartbeatAt: at });
    return (result.affected ?? 0) === 1;
  }

  /**
   * Marks offline every online device whose hub is not alive (no heartbeat since `aliveSince`,
   * or no hub at all), last seen when its hub last said it was alive, then forgets those hubs.
   * PostgreSQL only (a cluster): of two hubs sweeping at once, the row lock gives each device
   * to one of them, so each device is in one hub's answer.
   *
   * @returns the devices this statement marked offline and their last-seen time now (ISO 8601,
   *   or null for a device never seen)
   */
  async sweepDeadHubs(tx: Tx, aliveSince: Date): Promise<SweptDevice[]> {
    const since = aliveSince.toISOString();
    const result = await tx
      .createQueryBuilder()
      .update(DeviceEntity)
      .set({
        online: false,
        lastSeenAt: () =>
          'COALESCE((SELECT h.heartbeat_at FROM hubs h WHERE h.id = devices.hub_id), devices.last_seen_at)',
      })
      .where('online = :online', { online: true })
      .andWhere(
        new Brackets((dead) =>
          dead
            .where('hub_id IS NULL')
            .orWhere(
              'NOT EXISTS (SELECT 1 FROM hubs h WHERE h.id = devices.hub_id AND h.heartbeat_at >= :since)',
              { since },
            ),
        ),
      )
      .returning(['id', 'lastSeenAt'])
      .execute();
    await tx
      .createQueryBuilder()
      .delete()
      .from(HubEntity)
      .where('heartbeat_at < :since', { since })
      .execute();
    const rows = (result.raw ?? []) as { id: string; last_seen_at: string | null }[];
    return rows.map((row) => ({ deviceId: row.id, lastSeenAt: row.last_seen_at }));
  }

  /** A hub that stops cleanly: its devices offline (those no other hub holds now), its row gone. */
  async leaveCluster(tx: Tx, hubId: string): Promise<void> {
    await tx.update(DeviceEntity, { hubId, online: true }, { online: false });
    await tx.delete(HubEntity, { id: hubId });
  }

  async markAllOffline(tx: Tx): Promise<void> {
    await tx.update(DeviceEntity, { online: true }, { online: false });
  }

  // Groups and memberships

  findGroup(id: string): Promise<DeviceGroupEntity | null> {
    return this.groups.findOneBy({ id });
  }

  async findGroupsByIds(ids: readonly string[]): Promise<DeviceGroupEntity[]> {
    return ids.length === 0 ? [] : this.groups.findBy({ id: In([...ids]) });
  }

  /** Every group by name (`orderByName`), with how many devices are in each. */
  async listGroupsWithCounts(): Promise<{ group: DeviceGroupEntity; members: number }[]> {
    const groups = await orderByName(this.groups.createQueryBuilder('g'), 'g').getMany();
    const counts = await this.members
      .createQueryBuilder('m')
      .select('m.group_id', 'groupId')
      .addSelect('COUNT(*)', 'count')
      .groupBy('m.group_id')
      .getRawMany<{ groupId: string; count: string | number }>();
    const byGroup = new Map(counts.map((row) => [row.groupId, Number(row.count)]));
    return groups.map((group) => ({ group, members: byGroup.get(group.id) ?? 0 }));
  }

  /**
   * Inserts a new group, its `nameKey` and `nameSortKey` made from its name here; a name another
   * group has (by `nameKeyOf`: in any case or spacing) fails with a unique violation (the
   * caller's 409).
   */
  async insertGroup(tx: Tx, group: DeviceGroupEntity): Promise<void> {
    await tx.insert(DeviceGroupEntity, { ...group, ...nameKeysOf(group.name) });
  }

  /** The group whose name is `name` by `nameKeyOf` ("year  5" finds "Year 5"), if any. */
  findGroupByName(name: string): Promise<DeviceGroupEntity | null> {
    return this.groups.findOneBy({ nameKey: nameKeyOf(name) });
  }

  /**
   * Writes only the columns a change changes, so two edits of different fields at once both
   * stand (issue 8 item 3). False when there is no such group. A duplicate name fails with a
   * unique violation.
   */
  async updateGroup(
    tx: Tx,
    id: string,
    changes: Partial<Pick<DeviceGroupEntity, 'name' | 'description' | 'updatedAt'>>,
  ): Promise<boolean> {
    const result = await tx.update(
      DeviceGroupEntity,
      { id },
      changes.name !== undefined ? { ...changes, ...nameKeysOf(changes.name) } : changes,
    );
    return (result.affected ?? 0) === 1;
  }

  /** A group read inside a transaction (what a change left). */
  findGroupIn(tx: Tx, id: string): Promise<DeviceGroupEntity | null> {
    return tx.findOneBy(DeviceGroupEntity, { id });
  }

  /**
   * Adds devices to a group, leaving those already in it as they are (one statement per 300).
   * @returns the ids this call added, in the order given: two adds of one device at once, on any
   *   hub, add it once between them (the table's key decides)
   */
  async addMembers(
    tx: Tx,
    groupId: string,
    deviceIds: readonly string[],
    at: Date,
  ): Promise<string[]> {
    const added = await insertReturning<{ device_id: string }>(tx, {
      table: 'device_group_members',
      columns: ['group_id', 'device_id', 'added_at'],
      rows: [...new Set(deviceIds)].map((deviceId) => [groupId, deviceId, at.toISOString()]),
      onConflict: () => 'ON CONFLICT (group_id, device_id) DO NOTHING',
      returning: ['device_id'],
    });
    const taken = new Set(added.map((row) => row.device_id));
    return [...new Set(deviceIds)].filter((deviceId) => taken.has(deviceId));
  }

  async removeMember(tx: Tx, groupId: string, deviceId: string): Promise<boolean> {
    const result = await tx.delete(DeviceGroupMemberEntity, { groupId, deviceId });
    return (result.affected ?? 0) > 0;
  }

  async memberIds(groupId: string, onlyActive = true): Promise<string[]> {
    const query = this.members
      .createQueryBuilder('m')
      .select('m.device_id', 'deviceId')
      .where('m.group_id = :groupId', { groupId });
    if (onlyActive) {
      query.innerJoin(DeviceEntity, 'd', "d.id = m.device_id AND d.status = 'active'");
    }
    const rows = await query.getRawMany<{ deviceId: string }>();
    return rows.map((row) => row.deviceId);
  }

  async groupIdsOf(deviceId: string): Promise<string[]> {
    const rows = await this.members.find({ where: { deviceId }, select: { groupId: true } });
    return rows.map((row) => row.groupId);
  }

  // Proof nonces

  /**
   * Stores proof nonces as used and returns those that were not used already: a nonce another
   * hub of the cluster (or this one) stored before and that has not run out by `now` is a
   * replay (issue 10). The database's primary key decides, one upsert per 300 nonces: a row that
   * has run out is taken over, any other is left alone and its nonce not returned. Rows go in
   * key order, so two hubs writing overlapping batches on PostgreSQL never wait on each other
   * in a circle.
   *
   * @returns the keys `${deviceId}:${nonce}` of the nonces now stored for these proofs
   */
  async insertNonces(tx: Tx, rows: readonly DeviceNonceEntity[], now: Date): Promise<Set<string>> {
    const keyOf = (row: { deviceId: string; nonce: string }) => `${row.deviceId}:${row.nonce}`;
    const sorted = [...rows].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
    const stored = await insertReturning<{ device_id: string; nonce: string }>(tx, {
      table: 'device_nonces',
      columns: ['device_id', 'nonce', 'expires_at'],
      rows: sorted.map((row) => [row.deviceId, row.nonce, row.expiresAt.toISOString()]),
      onConflict: (param) =>
        'ON CONFLICT (device_id, nonce) DO UPDATE SET expires_at = excluded.expires_at' +
        ` WHERE device_nonces.expires_at <= ${param(now.toISOString())}`,
      returning: ['device_id', 'nonce'],
    });
    return new Set(stored.map((row) => keyOf({ deviceId: row.device_id, nonce: row.nonce })));
  }

  liveNonces(now: Date): Promise<DeviceNonceEntity[]> {
    return this.nonces
      .createQueryBuilder('n')
      .where('n.expires_at > :now', { now: now.toISOString() })
      .getMany();
  }

  async deleteExpiredNonces(tx: Tx, now: Date): Promise<void> {
    await tx
      .createQueryBuilder()
      .delete()
      .from(DeviceNonceEntity)
      .where('expires_at <= :now', { now: now.toISOString() })
      .execute();
  }

  // Policy compliance

  /** Ids of the active devices. */
  async activeDeviceIds(): Promise<string[]> {
    const rows = await this.devices
      .createQueryBuilder('d')
      .select('d.id', 'id')
      .where("d.status = 'active'")
      .getRawMany<{ id: string }>();
    return rows.map((row) => row.id);
  }

  /** Group memberships of these devices (all active devices when `deviceIds` is omitted). */
  async memberships(
    deviceIds?: readonly string[],
  ): Promise<{ deviceId: string; groupId: string }[]> {
    const query = () =>
      this.members
        .createQueryBuilder('m')
        .select('m.device_id', 'deviceId')
        .addSelect('m.group_id', 'groupId');
    if (!deviceIds) {
      return query().getRawMany();
    }
    const rows: { deviceId: string; groupId: string }[] = [];
    for (const part of chunks(deviceIds)) {
      rows.push(
        ...(await query()
          .where('m.device_id IN (:...ids)', { ids: part })
          .getRawMany<{ deviceId: string; groupId: string }>()),
      );
    }
    return rows;
  }

  /**
   * Of these devices, the ids of those still active, each row locked until `tx` ends (FOR UPDATE
   * on PostgreSQL; SQLite's queue runs one transaction at a time). A revocation committed before
   * is seen; one that comes after waits for `tx` and then cancels what it queued.
   */
  async lockActive(tx: Tx, deviceIds: readonly string[]): Promise<Set<string>> {
    const active = new Set<string>();
    for (const part of chunks([...deviceIds].sort())) {
      const rows = await forUpdate(
        tx
          .createQueryBuilder(DeviceEntity, 'd')
          .select('d.id', 'id')
          .where("d.id IN (:...ids) AND d.status = 'active'", { ids: part }),
      ).getRawMany<{ id: string }>();
      rows.forEach((row) => active.add(row.id));
    }
    return active;
  }

  /**
   * What planning a device's policy reads of it: of these devices (by chunks of ids), or of every
   * active device when `deviceIds` is omitted, in one pass by pages of 500 in id order (keyset).
   * Pages, not one read: one 13,000-row result is turned into objects in one turn of the event
   * loop, which a teacher's lock then waits behind (decisions.md, "The start's plan reads the
   * active devices by pages").
   */
  async policyStates(deviceIds?: readonly string[]): Promise<DevicePolicyState[]> {
    const query = () =>
      this.devices
        .createQueryBuilder('d')
        .select('d.id', 'id')
        .addSelect('d.status', 'status')
        .addSelect('d.desired_policy_version', 'desiredPolicyVersion')
        .addSelect('d.policy_status', 'policyStatus')
        .addSelect('d.policy_detail', 'policyDetail')
        .addSelect('d.policy_conflict', 'policyConflict');
    const rows: DevicePolicyState[] = [];
    const keep = (read: DevicePolicyState[]) => {
      for (const row of read) {
        // 1 or 0 on SQLite, true or false on PostgreSQL.
        rows.push({ ...row, policyConflict: Boolean(row.policyConflict) });
      }
    };
    if (deviceIds) {
      for (const part of chunks(deviceIds)) {
        keep(
          await query().where('d.id IN (:...ids)', { ids: part }).getRawMany<DevicePolicyState>(),
        );
      }
      return rows;
    }
    let after: string | null = null;
    for (;;) {
      const page = query().where("d.status = 'active'").orderBy('d.id').limit(PLAN_PAGE_SIZE);
      if (after !== null) {
        page.andWhere('d.id > :after', { after });
      }
      const read = await page.getRawMany<DevicePolicyState>();
      keep(read);
      if (read.length < PLAN_PAGE_SIZE) {
        return rows;
      }
      after = read[read.length - 1].id;
    }
  }

  /**
   * Sets the policy status the hub decided (pending for a new version). Any list of unenforced
   * settings belonged to the answer before, and any conflict to the policies before, so they go.
   */
  async setPolicyState(
    tx: Tx,
    deviceIds: readonly string[],
    changes: Pick<DeviceEntity, 'policyStatus' | 'policyDetail' | 'policyChangedAt'> & {
      desiredPolicyVersion?: string;
    },
  ): Promise<void> {
    for (const part of chunks(deviceIds)) {
      await tx.update(
        DeviceEntity,
        { id: In(part) },
        { ...changes, policyUnenforced: null, policyConflict: false },
      );
    }
  }

  /**
   * Marks these devices `failed` because their policies conflict, saying how in `detail`; their
   * desired version stays the one they had. Conditional: a device already failed with this very
   * conflict is left as it is (its time included), so judging a conflict again writes nothing.
   */
  async setPolicyConflict(
    tx: Tx,
    deviceIds: readonly string[],
    detail: string,
    at: Date,
  ): Promise<void> {
    for (const part of chunks(deviceIds)) {
      await tx
        .createQueryBuilder()
        .update(DeviceEntity)
        .set({
          policyStatus: 'failed',
          policyDetail: detail,
          policyUnenforced: null,
          policyConflict: true,
          policyChangedAt: at,
        })
        .where('id IN (:...ids)', { ids: part })
        // policy_detail is never null where policy_conflict is set: this write sets both.
        .andWhere('NOT (policy_conflict = :conflict AND policy_detail = :detail)', {
          conflict: true,
          detail,
        })
        .execute();
    }
  }

  /**
   * Records a device's word about one policy version (applied, partial or failed), only on
   * devices whose desired version is still that one: one conditional statement per chunk, so a
   * late answer about an older version never marks a device that has moved on (issue 8 item 4).
   * With `unlessAcknowledged` (a state report, which carries no list of unenforced settings) a
   * device already `applied` or `partial` is left as it is, so a report landing after the
   * device's answer never turns its `partial` back into `applied` (issue 9). A device whose
   * policies conflict is left as it is: what it says about the version it had does not settle
   * what it should run.
   */
  async setPolicyOutcome(
    tx: Tx,
    deviceIds: readonly string[],
    version: string,
    changes: Pick<
      DeviceEntity,
      'policyStatus' | 'policyDetail' | 'policyChangedAt' | 'policyUnenforced'
    >,
    unlessAcknowledged = false,
  ): Promise<void> {
    for (const part of chunks(deviceIds)) {
      const query = tx
        .createQueryBuilder()
        .update(DeviceEntity)
        .set(changes)
        .where('id IN (:...ids) AND desired_policy_version = :version', { ids: part, version })
        .andWhere('policy_conflict = :conflict', { conflict: false });
      if (unlessAcknowledged) {
        query.andWhere("(policy_status IS NULL OR policy_status NOT IN ('applied', 'partial'))");
      }
      await query.execute();
    }
  }

  /**
   * Every active device's id and policy status (`none` when it has none), in one read: what the
   * compliance counts are made from, overall and for each policy's reach (5,000 devices are
   * one query of about 5 ms, where counting each policy's devices by chunks of ids took ten).
   */
  async policyStatuses(): Promise<{ id: string; status: string }[]> {
    return this.devices
      .createQueryBuilder('d')
      .select('d.id', 'id')
      .addSelect("COALESCE(d.policy_status, 'none')", 'status')
      .where("d.status = 'active'")
      .getRawMany<{ id: string; status: string }>();
  }

  /** Active devices with a policy status, optionally within a set of ids. */
  async findByPolicyStatus(
    status: string | undefined,
    deviceIds: readonly string[] | undefined,
    offset: number,
    limit: number,
  ): Promise<[DeviceEntity[], number]> {
    const query = this.devices.createQueryBuilder('d').where("d.status = 'active'");
    if (status) {
      query.andWhere(status === 'none' ? 'd.policy_status IS NULL' : 'd.policy_status = :status', {
        status,
      });
    }
    if (deviceIds) {
      if (deviceIds.length === 0) {
        return [[], 0];
      }
      // The id set comes from policy assignments: a group's members or every device.
      query.andWhere('d.id IN (:...ids)', { ids: [...deviceIds] });
    }
    return pageByName(query, offset, limit);
  }
}

/**
 * One page of devices in the order staff read them: by name (`orderByName`: "Émile-iPad" among
 * the Es, alike on SQLite and PostgreSQL), then by serial number (unique, so each device has one
 * place). Unnamed devices come first, as SQLite sorts NULL; PostgreSQL would put them last
 * without NULLS FIRST.
 */
function pageByName(
  query: SelectQueryBuilder<DeviceEntity>,
  offset: number,
  limit: number,
): Promise<[DeviceEntity[], number]> {
  return orderByName(query, 'd', 'd.serial_number').skip(offset).take(limit).getManyAndCount();
}
