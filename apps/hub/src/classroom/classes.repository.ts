// Database access for classes, their teachers and tablets, sessions and absences (issue 12).
// Only this file touches their tables.
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, LessThanOrEqual, Repository } from 'typeorm';
import { nameKeyOf } from '@app/hub-api';
import { groupBy } from '../common/group-by';
import { chunks } from '../database/chunks';
import { nameKeysOf, orderByName } from '../database/name-search';
import { getManyPlain } from '../database/plain-rows';
import { forShare, forUpdate } from '../database/row-lock';
import type { Tx } from '../database/transaction-runner';
import { DeviceEntity, DeviceGroupMemberEntity } from '../devices/device.entities';
import {
  ClassDeviceEntity,
  ClassEntity,
  ClassSessionAbsenceEntity,
  ClassSessionDeviceEntity,
  ClassSessionEntity,
  ClassTeacherEntity,
} from './classroom.entities';

type Owner = 'class' | 'admin' | 'lost';

/** A tablet's desired lock and single app: who owns each and the command that set it. */
export interface HeldLocks {
  id: string;
  lockOwner: Owner | null;
  lockCommandId: string | null;
  appLockOwner: Owner | null;
  appLockCommandId: string | null;
}

/** What a session did to a tablet, as the end needs it (`ClassSessionDeviceEntity`). */
export interface ActedOn {
  deviceId: string;
  lockCommandId: string | null;
  appLockCommandId: string | null;
}

/** A class with its teachers and named devices. */
export interface ClassRecord {
  entity: ClassEntity;
  teacherIds: string[];
  deviceIds: string[];
}

/** What a tile needs of a device's row. */
export interface TileDeviceRow {
  id: string;
  name: string | null;
  assetTag: string | null;
  status: string;
  online: boolean;
  hubId: string | null;
  lastSeenAt: string | null;
  reportedState: string | null;
  desiredLock: string | null;
  desiredLockOwner: 'class' | 'admin' | 'lost' | null;
  desiredAppLock: string | null;
  desiredAppLockOwner: 'class' | 'admin' | 'lost' | null;
}

@Injectable()
export class ClassesRepository {
  constructor(
    @InjectRepository(ClassEntity) private readonly classes: Repository<ClassEntity>,
    @InjectRepository(ClassTeacherEntity)
    private readonly teachers: Repository<ClassTeacherEntity>,
    @InjectRepository(ClassDeviceEntity) private readonly devices: Repository<ClassDeviceEntity>,
    @InjectRepository(ClassSessionEntity)
    private readonly sessions: Repository<ClassSessionEntity>,
    @InjectRepository(ClassSessionAbsenceEntity)
    private readonly absences: Repository<ClassSessionAbsenceEntity>,
  ) {}

  private async withMembers(entities: ClassEntity[], tx?: Tx): Promise<ClassRecord[]> {
    if (entities.length === 0) {
      return [];
    }
    const ids = entities.map((entity) => entity.id);
    const [teachers, devices] = await Promise.all([
      (tx ? tx.getRepository(ClassTeacherEntity) : this.teachers).findBy({ classId: In(ids) }),
      (tx ? tx.getRepository(ClassDeviceEntity) : this.devices).findBy({ classId: In(ids) }),
    ]);
    return entities.map((entity) => ({
      entity,
      teacherIds: teachers.filter((t) => t.classId === entity.id).map((t) => t.staffId),
      deviceIds: devices.filter((d) => d.classId === entity.id).map((d) => d.deviceId),
    }));
  }

  /**
   * Every class (ICT), or those `staffId` teaches, by name (`orderByName`: "Émile's class" among
   * the Es, "Year 5" before "Year 10", alike on both databases).
   */
  async list(staffId?: string): Promise<ClassRecord[]> {
    const query = this.classes.createQueryBuilder('c');
    if (staffId !== undefined) {
      query.where('c.id IN (SELECT t.class_id FROM class_teachers t WHERE t.staff_id = :staffId)', {
        staffId,
      });
    }
    return this.withMembers(await orderByName(query, 'c').getMany());
  }

  /** A class with its teachers and named devices; in `tx` when given. */
  async find(id: string, tx?: Tx): Promise<ClassRecord | null> {
    return (await this.findMany([id], tx)).get(id) ?? null;
  }

  /**
   * Classes with their teachers and named devices, by id (the missing ones left out); in `tx`
   * when given.
   */
  async findMany(ids: readonly string[], tx?: Tx): Promise<Map<string, ClassRecord>> {
    const repository = tx ? tx.getRepository(ClassEntity) : this.classes;
    const entities: ClassEntity[] = [];
    for (const part of chunks(ids)) {
      entities.push(...(await repository.findBy({ id: In(part) })));
    }
    const records = await this.withMembers(entities, tx);
    return new Map(records.map((record) => [record.entity.id, record]));
  }

  /** Whether `staffId` teaches class `classId`. */
  async teaches(staffId: string, classId: string): Promise<boolean> {
    return (await this.teachers.countBy({ staffId, classId })) > 0;
  }

  /**
   * Inserts a class and its teachers and tablets, its `nameKey` and `nameSortKey` made here from
   * its name; a name another class has, in any case or spacing, fails with a unique violation
   * (the caller's 409).
   */
  async insert(tx: Tx, record: ClassRecord): Promise<void> {
    await tx.insert(ClassEntity, { ...record.entity, ...nameKeysOf(record.entity.name) });
    await this.setMembers(tx, record.entity.id, record.teacherIds, record.deviceIds);
  }

  /** Replaces the class's teachers and/or named devices (those given). */
  async setMembers(
    tx: Tx,
    classId: string,
    teacherIds?: readonly string[],
    deviceIds?: readonly string[],
  ): Promise<void> {
    if (teacherIds) {
      await tx.delete(ClassTeacherEntity, { classId });
      if (teacherIds.length > 0) {
        await tx.insert(
          ClassTeacherEntity,
          teacherIds.map((staffId) => ({ classId, staffId })),
        );
      }
    }
    if (deviceIds) {
      await tx.delete(ClassDeviceEntity, { classId });
      for (const part of chunks(deviceIds, 200)) {
        await tx.insert(
          ClassDeviceEntity,
          part.map((deviceId) => ({ classId, deviceId })),
        );
      }
    }
  }

  /**
   * Writes the named columns of a class (`nameKey` and `nameSortKey` follow `name`); a name
   * another class has fails with a unique violation.
   */
  async update(
    tx: Tx,
    id: string,
    changes: Partial<Pick<ClassEntity, 'name' | 'groupId' | 'timetable' | 'updatedAt'>>,
  ): Promise<void> {
    await tx.update(
      ClassEntity,
      { id },
      changes.name !== undefined ? { ...changes, ...nameKeysOf(changes.name) } : changes,
    );
  }

  /** The class whose name is `name` by `nameKeyOf` ("year  5" finds "Year 5"), if any. */
  findByName(name: string): Promise<ClassEntity | null> {
    return this.classes.findOneBy({ nameKey: nameKeyOf(name) });
  }

  /**
   * Gives out the class's next action number inside `tx`, holding the class's row until `tx`
   * ends (PostgreSQL row lock; SQLite runs one transaction at a time): two actions on one class
   * commit in the order of their numbers (issue 12, two teachers at once).
   *
   * @returns the new number, or null for no such class
   */
  async nextSeq(tx: Tx, classId: string): Promise<number | null> {
    return (await this.nextSeqs(tx, new Map([[classId, 1]]))).get(classId) ?? null;
  }

  /**
   * `nextSeq` for many classes at once, `count` numbers each (a batch of actions, issue 12): one
   * update per distinct count and one read, whatever the number of classes.
   * @returns each class's last number given out (its first is `last - count + 1`); a class that
   *   does not exist is left out
   */
  async nextSeqs(tx: Tx, counts: ReadonlyMap<string, number>): Promise<Map<string, number>> {
    const byCount = new Map<number, string[]>();
    for (const [classId, count] of counts) {
      byCount.set(count, [...(byCount.get(count) ?? []), classId]);
    }
    for (const [count, classIds] of byCount) {
      for (const part of chunks(classIds)) {
        await tx
          .createQueryBuilder()
          .update(ClassEntity)
          .set({ actionSeq: () => `action_seq + ${Math.max(1, Math.trunc(count))}` })
          .where('id IN (:...part)', { part })
          .execute();
      }
    }
    const out = new Map<string, number>();
    for (const part of chunks([...counts.keys()])) {
      for (const row of await tx.findBy(ClassEntity, { id: In(part) })) {
        out.set(row.id, row.actionSeq);
      }
    }
    return out;
  }

  /** Locks the class's row until `tx` ends (PostgreSQL) and reads it. */
  async lockClass(tx: Tx, classId: string): Promise<ClassEntity | null> {
    return forUpdate(
      tx.createQueryBuilder(ClassEntity, 'c').where('c.id = :classId', { classId }),
    ).getOne();
  }

  /**
   * `deviceIdsOf` for many classes in a few reads (issue 12: a hundred classes' actions at once),
   * by class id; in `tx` when given.
   */
  async deviceIdsOfMany(
    entities: ReadonlyArray<Pick<ClassEntity, 'id' | 'groupId'>>,
    tx?: Tx,
  ): Promise<Map<string, string[]>> {
    const manager = tx ?? this.devices.manager;
    const namedRows: ClassDeviceEntity[] = [];
    for (const part of chunks(entities.map((entity) => entity.id))) {
      namedRows.push(...(await manager.findBy(ClassDeviceEntity, { classId: In(part) })));
    }
    const named = groupBy(namedRows, (row) => row.classId);
    const memberRows: DeviceGroupMemberEntity[] = [];
    const groupIds = [...new Set(entities.flatMap((entity) => entity.groupId ?? []))];
    for (const part of chunks(groupIds)) {
      memberRows.push(...(await manager.findBy(DeviceGroupMemberEntity, { groupId: In(part) })));
    }
    const members = groupBy(memberRows, (row) => row.groupId);
    const wanted = new Map<string, string[]>();
    for (const entity of entities) {
      const ids = [
        ...(entity.groupId ? (members.get(entity.groupId) ?? []) : []),
        ...(named.get(entity.id) ?? []),
      ].map((row) => row.deviceId);
      wanted.set(entity.id, [...new Set(ids)]);
    }
    const active = new Set<string>();
    for (const part of chunks([...new Set([...wanted.values()].flat())])) {
      const rows = await manager
        .createQueryBuilder(DeviceEntity, 'd')
        .select('d.id', 'id')
        .where("d.id IN (:...ids) AND d.status = 'active'", { ids: part })
        .getRawMany<{ id: string }>();
      rows.forEach((row) => active.add(row.id));
    }
    return new Map(
      [...wanted].map(([classId, ids]) => [classId, ids.filter((id) => active.has(id))]),
    );
  }

  /**
   * Active devices of a class: its group's members, then its named devices, once each; in `tx`
   * when given.
   */
  async deviceIdsOf(entity: Pick<ClassEntity, 'id' | 'groupId'>, tx?: Tx): Promise<string[]> {
    return (await this.deviceIdsOfMany([entity], tx)).get(entity.id) ?? [];
  }

  /**
   * Which of `deviceIds` are tablets of a class `staffId` teaches: named in the class, or members
   * of its group (as `deviceIdsOf` counts them, but whatever their status: a revoked tablet is
   * still the class's, and the command queue refuses it as revoked). Issue 12: "a teacher acts
   * only on their own classes".
   *
   * Inside `tx`, what it read holds until `tx` ends (PostgreSQL share locks; SQLite runs one
   * transaction at a time), so a command it allows is queued before any change that would have
   * refused it, or not at all. The taught classes' rows are locked first: a change of a class's
   * teachers, tablets or group (`update`, then `setMembers`) updates that row before it touches
   * the rest, so the teachers and tablets read next are as one change left them, never half of
   * one, and a teacher taken off the class meanwhile is seen as gone. Then the group memberships
   * it relies on are share-locked, so ICT's taking a tablet out of the class's group waits for
   * the command that counted it. A class the teacher was added to meanwhile is not counted:
   * a refusal is the safe side.
   */
  async tabletsTaughtBy(
    staffId: string,
    deviceIds: readonly string[],
    tx?: Tx,
  ): Promise<Set<string>> {
    const manager = tx ?? this.classes.manager;
    const wanted = [...new Set(deviceIds)];
    const out = new Set<string>();
    if (wanted.length === 0) {
      return out;
    }
    const taught = (await manager.findBy(ClassTeacherEntity, { staffId })).map((t) => t.classId);
    const classes: ClassEntity[] = [];
    for (const part of chunks([...new Set(taught)].sort())) {
      const query = manager
        .createQueryBuilder(ClassEntity, 'c')
        .where('c.id IN (:...ids)', { ids: part })
        .orderBy('c.id', 'ASC');
      classes.push(...(await (tx ? forShare(query) : query).getMany()));
    }
    // Asked again now that no change of these classes is in flight.
    const still = new Set<string>();
    for (const part of chunks(classes.map((c) => c.id))) {
      const rows = await manager.findBy(ClassTeacherEntity, { staffId, classId: In(part) });
      rows.forEach((row) => still.add(row.classId));
    }
    const classIds = classes.filter((c) => still.has(c.id)).map((c) => c.id);
    const groupIds = [
      ...new Set(classes.flatMap((c) => (still.has(c.id) && c.groupId ? [c.groupId] : []))),
    ];
    if (classIds.length === 0) {
      return out;
    }
    for (const part of chunks(wanted)) {
      for (const classPart of chunks(classIds)) {
        const named = await manager.findBy(ClassDeviceEntity, {
          classId: In(classPart),
          deviceId: In(part),
        });
        named.forEach((row) => out.add(row.deviceId));
      }
      for (const groupPart of chunks(groupIds)) {
        const query = manager
          .createQueryBuilder(DeviceGroupMemberEntity, 'm')
          .where('m.group_id IN (:...groups) AND m.device_id IN (:...devices)', {
            groups: groupPart,
            devices: part,
          });
        const members = await (tx ? forShare(query) : query).getMany();
        members.forEach((row) => out.add(row.deviceId));
      }
    }
    return out;
  }

  /** Classes that hold any of these devices (named or through their group), by device. */
  async classIdsOfDevices(deviceIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    const add = (deviceId: string, classId: string) => {
      const list = out.get(deviceId) ?? [];
      if (!list.includes(classId)) {
        list.push(classId);
      }
      out.set(deviceId, list);
    };
    for (const part of chunks(deviceIds)) {
      for (const row of await this.devices.findBy({ deviceId: In(part) })) {
        add(row.deviceId, row.classId);
      }
      const viaGroup = await this.classes
        .createQueryBuilder('c')
        .innerJoin(DeviceGroupMemberEntity, 'm', 'm.group_id = c.group_id')
        .select('m.device_id', 'deviceId')
        .addSelect('c.id', 'classId')
        .where('m.device_id IN (:...ids)', { ids: part })
        .getRawMany<{ deviceId: string; classId: string }>();
      viaGroup.forEach((row) => add(row.deviceId, row.classId));
    }
    return out;
  }

  /** What the tiles of these devices show, from their rows; in `tx` when given. */
  async tileRows(deviceIds: readonly string[], tx?: Tx): Promise<TileDeviceRow[]> {
    const rows: TileDeviceRow[] = [];
    for (const part of chunks(deviceIds)) {
      const found = await getManyPlain(
        (tx ?? this.devices.manager)
          .createQueryBuilder(DeviceEntity, 'd')
          .where('d.id IN (:...ids)', { ids: part }),
      );
      for (const d of found) {
        rows.push({
          id: d.id,
          name: d.name,
          assetTag: d.assetTag,
          status: d.status,
          online: d.online,
          hubId: d.hubId,
          lastSeenAt: d.lastSeenAt ? d.lastSeenAt.toISOString() : null,
          reportedState: d.reportedState,
          desiredLock: d.desiredLock,
          desiredLockOwner: d.desiredLockOwner,
          desiredAppLock: d.desiredAppLock,
          desiredAppLockOwner: d.desiredAppLockOwner,
        });
      }
    }
    return rows;
  }

  // Sessions

  /** The class's running session, if any (`tx`: inside a transaction). */
  runningSession(classId: string, tx?: Tx): Promise<ClassSessionEntity | null> {
    return (tx ? tx.getRepository(ClassSessionEntity) : this.sessions).findOneBy({
      classId,
      endedAt: IsNull(),
    });
  }

  /** Running sessions of these classes, by class id. */
  async runningSessions(
    classIds: readonly string[],
    tx?: Tx,
  ): Promise<Map<string, ClassSessionEntity>> {
    const out = new Map<string, ClassSessionEntity>();
    const sessions = tx ? tx.getRepository(ClassSessionEntity) : this.sessions;
    for (const part of chunks(classIds)) {
      for (const row of await sessions.findBy({ classId: In(part), endedAt: IsNull() })) {
        out.set(row.classId, row);
      }
    }
    return out;
  }

  /** Running sessions whose end time has passed (the clock's sweep, and start-up). */
  due(now: Date, limit: number): Promise<ClassSessionEntity[]> {
    return this.sessions.find({
      where: { endedAt: IsNull(), endsAt: LessThanOrEqual(now.toISOString()) as never },
      order: { endsAt: 'ASC' },
      take: limit,
    });
  }

  /** Inserts a session; a second running session of the class fails on the unique index. */
  async insertSession(tx: Tx, session: ClassSessionEntity): Promise<void> {
    await tx.insert(ClassSessionEntity, session);
  }

  /**
   * Ends a session if it is still running: one conditional statement.
   *
   * @returns whether this call ended it
   */
  async endSession(tx: Tx, sessionId: string, at: Date, by: string | null): Promise<boolean> {
    const result = await tx
      .createQueryBuilder()
      .update(ClassSessionEntity)
      .set({ endedAt: at, endedBy: by })
      .where('id = :sessionId AND ended_at IS NULL', { sessionId })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  /** The tablets marked absent in a session; in `tx` when given. */
  async absentDeviceIds(sessionId: string, tx?: Tx): Promise<Set<string>> {
    return (await this.absentDeviceIdsMany([sessionId], tx)).get(sessionId) ?? new Set();
  }

  /** `absentDeviceIds` for many sessions in one read, by session id; in `tx` when given. */
  async absentDeviceIdsMany(
    sessionIds: readonly string[],
    tx?: Tx,
  ): Promise<Map<string, Set<string>>> {
    const repository = tx ? tx.getRepository(ClassSessionAbsenceEntity) : this.absences;
    const out = new Map<string, Set<string>>();
    for (const part of chunks(sessionIds)) {
      for (const row of await repository.findBy({ sessionId: In(part) })) {
        out.set(row.sessionId, (out.get(row.sessionId) ?? new Set()).add(row.deviceId));
      }
    }
    return out;
  }

  /**
   * Reads these devices' lock owners and the commands that set them inside `tx`, locking their
   * rows until it ends (PostgreSQL; SQLite runs one transaction at a time), so what a class
   * action decides from them (issue 12: a tablet under a stronger lock is left out) stays true
   * until it commits. Unknown devices are absent from the map.
   */
  async heldLocksForUpdate(tx: Tx, deviceIds: readonly string[]): Promise<Map<string, HeldLocks>> {
    const out = new Map<string, HeldLocks>();
    for (const part of chunks([...new Set(deviceIds)])) {
      const rows = await forUpdate(
        tx
          .createQueryBuilder(DeviceEntity, 'd')
          .select('d.id', 'id')
          .addSelect('d.desired_lock_owner', 'lockOwner')
          .addSelect('d.desired_lock_command_id', 'lockCommandId')
          .addSelect('d.desired_app_lock_owner', 'appLockOwner')
          .addSelect('d.desired_app_lock_command_id', 'appLockCommandId')
          .where('d.id IN (:...ids)', { ids: part }),
      ).getRawMany<HeldLocks>();
      rows.forEach((row) => out.set(row.id, row));
    }
    return out;
  }

  /**
   * The tablets among `deviceIds` that are out on a trip now: their asset (matched by serial key)
   * is `on_trip` in the kit (`out`) of a trip that is out. Keyed by device id: the trip's id and
   * name. The assets' rows are locked until the commit (PostgreSQL), so a check-out or check-in
   * at the same moment waits: the caller's action either sees the tablet out or acts on it.
   * `lock` false for a read outside a transaction (checked again inside it).
   */
  async onTripForUpdate(
    tx: Tx,
    deviceIds: readonly string[],
    lock = true,
  ): Promise<Map<string, { tripId: string; name: string }>> {
    const out = new Map<string, { tripId: string; name: string }>();
    for (const part of chunks([...new Set(deviceIds)])) {
      const query = tx
        .createQueryBuilder()
        .from('assets', 'a')
        .innerJoin('devices', 'd', 'd.serial_key = a.serial_key')
        .innerJoin('trip_kit', 'k', "k.asset_id = a.id AND k.status = 'out'")
        .innerJoin('trips', 't', "t.id = k.trip_id AND t.status = 'out'")
        .select('d.id', 'deviceId')
        .addSelect('t.id', 'tripId')
        .addSelect('t.name', 'name')
        .where('d.id IN (:...part)', { part })
        .andWhere("a.status = 'on_trip'");
      const rows = await (lock ? forUpdate(query, ['a']) : query).getRawMany<{
        deviceId: string;
        tripId: string;
        name: string;
      }>();
      rows.forEach((row) => out.set(row.deviceId, { tripId: row.tripId, name: row.name }));
    }
    return out;
  }

  /**
   * Records that a session acted on these tablets, in the action's transaction (issue 12: the end
   * undoes on every tablet the session acted on, also one taken out of the class since). With
   * `kind`, each entry's command id replaces the lock (or app lock) command recorded for that
   * (session, tablet); without, the row is only made sure of (the camera). Each (session,
   * tablet) at most once in `entries`. SQLite and PostgreSQL alike (`ON CONFLICT`).
   */
  async recordActedOn(
    tx: Tx,
    entries: ReadonlyArray<{ sessionId: string; deviceId: string; commandId?: string }>,
    kind: 'lock' | 'appLock' | null,
  ): Promise<void> {
    const column = kind === 'lock' ? 'lock_command_id' : 'app_lock_command_id';
    for (const part of chunks(entries, 200)) {
      const query = tx
        .createQueryBuilder()
        .insert()
        .into(ClassSessionDeviceEntity)
        .values(
          part.map(({ sessionId, deviceId, commandId }) => ({
            sessionId,
            deviceId,
            lockCommandId: kind === 'lock' ? (commandId ?? null) : null,
            appLockCommandId: kind === 'appLock' ? (commandId ?? null) : null,
          })),
        );
      await (
        kind ? query.orUpdate([column], ['session_id', 'device_id']) : query.orIgnore()
      ).execute();
    }
  }

  /** The tablets a session acted on, with its latest lock and app lock command for each. */
  async actedOn(sessionId: string, tx?: Tx): Promise<ActedOn[]> {
    const rows = await (tx ?? this.sessions.manager).findBy(ClassSessionDeviceEntity, {
      sessionId,
    });
    return rows.map(({ deviceId, lockCommandId, appLockCommandId }) => ({
      deviceId,
      lockCommandId,
      appLockCommandId,
    }));
  }

  /** Marks devices absent (or present again) in a session. */
  async setAbsent(
    tx: Tx,
    sessionId: string,
    deviceIds: readonly string[],
    absent: boolean,
  ): Promise<void> {
    for (const part of chunks(deviceIds, 200)) {
      await tx.delete(ClassSessionAbsenceEntity, { sessionId, deviceId: In(part) });
      if (absent) {
        await tx.insert(
          ClassSessionAbsenceEntity,
          part.map((deviceId) => ({ sessionId, deviceId })),
        );
      }
    }
  }
}
