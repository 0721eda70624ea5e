// The tablets a class session acted on (issue 12: the end undoes everything the session did on
// every tablet it acted on). A tablet taken out of the class mid-lesson (its name dropped from the
// class, or it left the class's group) is no longer among the class's tablets, so the end must
// find it here. One row per (session, tablet), written in the transaction of the action that
// locked it, kept it in one app or laid the camera overlay on it, with the command that set the
// lock (or the single app): a tablet that left is unlocked at the end only while that command is
// still the one its desired state follows, so another class's later lock on it is left alone.
import { MigrationInterface, QueryRunner, Table } from 'typeorm';

export class AddClassSessionDevices1764830000000 implements MigrationInterface {
  name = 'AddClassSessionDevices1764830000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'class_session_devices',
        columns: [
          { name: 'session_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'device_id', type: 'varchar', length: '36', isPrimary: true },
          /** The session's latest device.lock for the tablet, if it locked it. */
          { name: 'lock_command_id', type: 'varchar', length: '36', isNullable: true },
          /** The session's latest app.lock for the tablet, if it kept it in an app. */
          { name: 'app_lock_command_id', type: 'varchar', length: '36', isNullable: true },
        ],
        foreignKeys: [
          {
            columnNames: ['session_id'],
            referencedTableName: 'class_sessions',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('class_session_devices');
  }
}
