// Lock ownership in the desired state (issue 8 item 6): who owns the desired lock and single app
// (`class` < `admin` < `lost`), and which command set each, so that a lock set by a command that
// expires undelivered ends with it (item 7). Also cancels the open commands of devices revoked
// before this version, which nothing would ever deliver or end (item 21).
//
// Existing locks get an owner from what is known: a device lock from its reason (the reasons
// are the owners' names); a single-app lock `admin`, since who set it is not recorded and ICT
// can lift it either way. Their commands are not linked (already delivered, or they would expire
// as before).
import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

const COLUMNS = [
  new TableColumn({ name: 'desired_lock_owner', type: 'varchar', length: '16', isNullable: true }),
  new TableColumn({
    name: 'desired_lock_command_id',
    type: 'varchar',
    length: '36',
    isNullable: true,
  }),
  new TableColumn({
    name: 'desired_app_lock_owner',
    type: 'varchar',
    length: '16',
    isNullable: true,
  }),
  new TableColumn({
    name: 'desired_app_lock_command_id',
    type: 'varchar',
    length: '36',
    isNullable: true,
  }),
];

export class AddLockOwnersToDesiredState1764500000000 implements MigrationInterface {
  name = 'AddLockOwnersToDesiredState1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('devices', COLUMNS);
    // The stored lock is the `device.lock` payload as JSON.stringify wrote it (no spaces).
    await queryRunner.query(
      `UPDATE devices SET desired_lock_owner = CASE
         WHEN desired_lock LIKE '%"reason":"lost"%' THEN 'lost'
         WHEN desired_lock LIKE '%"reason":"admin"%' THEN 'admin'
         ELSE 'class' END
       WHERE desired_lock IS NOT NULL`,
    );
    await queryRunner.query(
      `UPDATE devices SET desired_app_lock_owner = 'admin' WHERE desired_app_lock IS NOT NULL`,
    );
    const now = new Date().toISOString();
    await queryRunner.query(
      `UPDATE commands SET status = 'cancelled', answered_at = '${now}',
         detail = 'cancelled: the device was revoked'
       WHERE status IN ('pending', 'sent', 'not_now')
         AND device_id IN (SELECT id FROM devices WHERE status = 'revoked')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Older hubs know no `cancelled`; `expired` is the final status they give a retired command.
    await queryRunner.query(`UPDATE commands SET status = 'expired' WHERE status = 'cancelled'`);
    for (const column of [...COLUMNS].reverse()) {
      await queryRunner.dropColumn('devices', column.name);
    }
  }
}
