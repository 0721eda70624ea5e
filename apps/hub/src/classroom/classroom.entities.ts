// Classes, their teachers and tablets, and their sessions (issue 12). A class's tablets are the
// members of its group, the devices named on it, or both; a session is a lesson in progress.
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { timeColumn } from '../database/iso-date.transformer';

@Entity('classes')
export class ClassEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** As typed (trimmed). */
  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** The name by `nameKeyOf`: unique, so "Year 5" and "year  5" are one class (1764840000000). */
  @Column({ name: 'name_key', type: 'varchar', length: 255 })
  nameKey: string;

  /**
   * The name by `nameSortKeyOf`: what the classes are ordered by, compared by code point, so they
   * read alike on SQLite and PostgreSQL ("Émile" among the Es; migration 1764920000000). Not
   * unique. Written by ClassesRepository with every write of `name`.
   */
  @Column({ name: 'name_sort_key', type: 'varchar', length: 800, nullable: true })
  nameSortKey: string | null;

  @Column({ name: 'group_id', type: 'varchar', length: 36, nullable: true })
  groupId: string | null;

  /** TimetableSlot[] as JSON. */
  @Column({ type: 'text' })
  timetable: string;

  /** The highest action number given out: the action with it is the one in force. */
  @Column({ name: 'action_seq', type: 'integer', default: 0 })
  actionSeq: number;

  @Column({ ...timeColumn(), name: 'created_at' })
  createdAt: Date;

  @Column({ ...timeColumn(), name: 'updated_at' })
  updatedAt: Date;
}

@Entity('class_teachers')
export class ClassTeacherEntity {
  @PrimaryColumn({ name: 'class_id', type: 'varchar', length: 36 })
  classId: string;

  @PrimaryColumn({ name: 'staff_id', type: 'varchar', length: 36 })
  staffId: string;
}

@Entity('class_devices')
export class ClassDeviceEntity {
  @PrimaryColumn({ name: 'class_id', type: 'varchar', length: 36 })
  classId: string;

  @PrimaryColumn({ name: 'device_id', type: 'varchar', length: 36 })
  deviceId: string;
}

@Entity('class_sessions')
export class ClassSessionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'class_id', type: 'varchar', length: 36 })
  classId: string;

  @Column({ name: 'started_by', type: 'varchar', length: 36 })
  startedBy: string;

  @Column({ ...timeColumn(), name: 'started_at' })
  startedAt: Date;

  @Column({ ...timeColumn(), name: 'ends_at' })
  endsAt: Date;

  @Column({ ...timeColumn({ nullable: true }), name: 'ended_at' })
  endedAt: Date | null;

  @Column({ name: 'ended_by', type: 'varchar', length: 36, nullable: true })
  endedBy: string | null;
}

@Entity('class_session_absences')
export class ClassSessionAbsenceEntity {
  @PrimaryColumn({ name: 'session_id', type: 'varchar', length: 36 })
  sessionId: string;

  @PrimaryColumn({ name: 'device_id', type: 'varchar', length: 36 })
  deviceId: string;
}

/**
 * A tablet a session acted on (lock, single app, camera), with the session's latest lock and
 * app lock command for it: the end undoes on these as well as on the class's tablets then, so a
 * tablet taken out of the class mid-lesson is not left locked (migration 1764830000000).
 */
@Entity('class_session_devices')
export class ClassSessionDeviceEntity {
  @PrimaryColumn({ name: 'session_id', type: 'varchar', length: 36 })
  sessionId: string;

  @PrimaryColumn({ name: 'device_id', type: 'varchar', length: 36 })
  deviceId: string;

  @Column({ name: 'lock_command_id', type: 'varchar', length: 36, nullable: true })
  lockCommandId: string | null;

  @Column({ name: 'app_lock_command_id', type: 'varchar', length: 36, nullable: true })
  appLockCommandId: string | null;
}

export const CLASSROOM_ENTITIES = [
  ClassEntity,
  ClassTeacherEntity,
  ClassDeviceEntity,
  ClassSessionEntity,
  ClassSessionAbsenceEntity,
  ClassSessionDeviceEntity,
];
