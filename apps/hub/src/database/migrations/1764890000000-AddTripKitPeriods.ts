// The times each kit device was out with its trip: one row per time out, from the moment it went
// out with the trip (the trip's check-out, or its addition to a kit already out) to the moment it
// came back (checked in, taken out of the kit, or reported lost), open while it is still out. A
// photo is filed under a trip only when it was taken within one of its device's periods, so a
// device added to a trip at 14:00 does not bring the trip its photos from a lesson at 10:00. A
// kit entry's own `changed_at` says only its last change, and a device taken out of a kit and
// added again goes out twice.
import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { timeCol } from './columns';

export class AddTripKitPeriods1764890000000 implements MigrationInterface {
  name = 'AddTripKitPeriods1764890000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'trip_kit_periods',
        columns: [
          { name: 'trip_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'asset_id', type: 'varchar', length: '36', isPrimary: true },
          { ...timeCol('out_at'), isPrimary: true },
          timeCol('back_at', true),
        ],
        foreignKeys: [
          { columnNames: ['trip_id'], referencedTableName: 'trips', referencedColumnNames: ['id'] },
          {
            columnNames: ['asset_id'],
            referencedTableName: 'assets',
            referencedColumnNames: ['id'],
          },
        ],
        indices: [{ name: 'IDX_trip_kit_periods_asset', columnNames: ['asset_id', 'out_at'] }],
      }),
    );
    // The kit as it stands says one period per device that went. A device still out went out at
    // its entry's last change (the check-out, or its addition to the kit while out); one back or
    // lost went out at the trip's check-out (an earlier time out than its last is not recorded)
    // and came back at its entry's last change.
    await queryRunner.query(
      `INSERT INTO trip_kit_periods (trip_id, asset_id, out_at, back_at)
       SELECT k.trip_id, k.asset_id, COALESCE(k.changed_at, t.checked_out_at), NULL
       FROM trip_kit k JOIN trips t ON t.id = k.trip_id
       WHERE k.status = 'out' AND COALESCE(k.changed_at, t.checked_out_at) IS NOT NULL`,
    );
    await queryRunner.query(
      `INSERT INTO trip_kit_periods (trip_id, asset_id, out_at, back_at)
       SELECT k.trip_id, k.asset_id, t.checked_out_at, k.changed_at
       FROM trip_kit k JOIN trips t ON t.id = k.trip_id
       WHERE k.status IN ('back', 'lost') AND t.checked_out_at IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('trip_kit_periods');
  }
}
