// Assets, loans, loan reminders and trips (issue 13). An asset's tag is unique regardless of case
// (`tag_key`, the lower-case tag), since a scanner and a clerk may type it either way. The same
// asset is never out on two loans: a partial unique index over open loans (`returned_at IS NULL`)
// makes the database refuse a second one, whatever the application does. A reminder is sent once
// per loan and step: (loan, step, week) is unique. Staff accounts gain an email address (for
// reminders) and an AUP acceptance records the clerk who witnessed it at the desk, if any.
// Plain ALTER TABLE ADD COLUMN for the existing tables: the same SQL on SQLite and PostgreSQL,
// and no table copy on SQLite.
import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { idColumn, timeCol } from './columns';

export class AddAssetsLoansAndTrips1764780000000 implements MigrationInterface {
  name = 'AddAssetsLoansAndTrips1764780000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE staff_accounts ADD COLUMN email varchar(254)');
    await queryRunner.query('ALTER TABLE aup_acceptances ADD COLUMN witnessed_by varchar(36)');
    await queryRunner.createTable(
      new Table({
        name: 'assets',
        columns: [
          idColumn('id'),
          { name: 'asset_tag', type: 'varchar', length: '64' },
          { name: 'tag_key', type: 'varchar', length: '64', isUnique: true },
          { name: 'kind', type: 'varchar', length: '16' },
          { name: 'serial_number', type: 'varchar', length: '128', isNullable: true },
          { name: 'model', type: 'varchar', length: '128', isNullable: true },
          { name: 'condition', type: 'varchar', length: '200', isNullable: true },
          { name: 'notes', type: 'varchar', length: '1000', isNullable: true },
          { name: 'status', type: 'varchar', length: '16' },
          timeCol('created_at'),
          timeCol('updated_at'),
        ],
        indices: [
          { name: 'IDX_assets_serial', columnNames: ['serial_number'] },
          { name: 'IDX_assets_status', columnNames: ['status', 'tag_key'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'loans',
        columns: [
          idColumn('id'),
          { name: 'asset_id', type: 'varchar', length: '36' },
          { name: 'borrower_id', type: 'varchar', length: '36' },
          { name: 'issued_by', type: 'varchar', length: '36' },
          timeCol('issued_at'),
          timeCol('due_at'),
          { name: 'condition_out', type: 'varchar', length: '200', isNullable: true },
          { name: 'aup_accepted_at_desk', type: 'boolean', default: false },
          timeCol('returned_at', true),
          { name: 'returned_by', type: 'varchar', length: '36', isNullable: true },
          { name: 'condition_in', type: 'varchar', length: '200', isNullable: true },
          { name: 'damage_notes', type: 'varchar', length: '1000', isNullable: true },
          { name: 'to_repair', type: 'boolean', default: false },
        ],
        foreignKeys: [
          {
            columnNames: ['asset_id'],
            referencedTableName: 'assets',
            referencedColumnNames: ['id'],
          },
          {
            columnNames: ['borrower_id'],
            referencedTableName: 'staff_accounts',
            referencedColumnNames: ['id'],
          },
        ],
        indices: [
          { name: 'IDX_loans_asset_history', columnNames: ['asset_id', 'issued_at'] },
          { name: 'IDX_loans_borrower', columnNames: ['borrower_id', 'issued_at'] },
          { name: 'IDX_loans_due', columnNames: ['returned_at', 'due_at'] },
        ],
      }),
    );
    // The same asset is never out twice (issue 13): at most one open loan per asset.
    await queryRunner.createIndex(
      'loans',
      new TableIndex({
        name: 'UQ_loans_open_asset',
        columnNames: ['asset_id'],
        isUnique: true,
        where: 'returned_at IS NULL',
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'loan_reminders',
        columns: [
          idColumn('id'),
          { name: 'loan_id', type: 'varchar', length: '36' },
          { name: 'borrower_id', type: 'varchar', length: '36' },
          { name: 'step', type: 'varchar', length: '16' },
          { name: 'week', type: 'integer', default: 0 },
          timeCol('sent_at'),
          { name: 'message', type: 'varchar', length: '500' },
          { name: 'emailed', type: 'boolean', default: false },
        ],
        foreignKeys: [
          { columnNames: ['loan_id'], referencedTableName: 'loans', referencedColumnNames: ['id'] },
        ],
        uniques: [{ name: 'UQ_loan_reminders_step', columnNames: ['loan_id', 'step', 'week'] }],
        indices: [{ name: 'IDX_loan_reminders_borrower', columnNames: ['borrower_id', 'sent_at'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'trips',
        columns: [
          idColumn('id'),
          { name: 'name', type: 'varchar', length: '128' },
          { name: 'short_name', type: 'varchar', length: '24' },
          timeCol('starts_at'),
          timeCol('ends_at'),
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'overlay', type: 'text' },
          { name: 'created_by', type: 'varchar', length: '36', isNullable: true },
          timeCol('created_at'),
          timeCol('checked_out_at', true),
          timeCol('closed_at', true),
        ],
        indices: [{ name: 'IDX_trips_starts', columnNames: ['starts_at'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'trip_leaders',
        columns: [
          { name: 'trip_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'staff_id', type: 'varchar', length: '36', isPrimary: true },
        ],
        foreignKeys: [
          { columnNames: ['trip_id'], referencedTableName: 'trips', referencedColumnNames: ['id'] },
          {
            columnNames: ['staff_id'],
            referencedTableName: 'staff_accounts',
            referencedColumnNames: ['id'],
          },
        ],
        indices: [{ name: 'IDX_trip_leaders_staff', columnNames: ['staff_id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'trip_kit',
        columns: [
          { name: 'trip_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'asset_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'status', type: 'varchar', length: '16' },
          timeCol('changed_at', true),
          { name: 'changed_by', type: 'varchar', length: '36', isNullable: true },
        ],
        foreignKeys: [
          { columnNames: ['trip_id'], referencedTableName: 'trips', referencedColumnNames: ['id'] },
          {
            columnNames: ['asset_id'],
            referencedTableName: 'assets',
            referencedColumnNames: ['id'],
          },
        ],
        indices: [{ name: 'IDX_trip_kit_asset', columnNames: ['asset_id', 'status'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('trip_kit');
    await queryRunner.dropTable('trip_leaders');
    await queryRunner.dropTable('trips');
    await queryRunner.dropTable('loan_reminders');
    await queryRunner.dropIndex('loans', 'UQ_loans_open_asset');
    await queryRunner.dropTable('loans');
    await queryRunner.dropTable('assets');
    await queryRunner.query('ALTER TABLE aup_acceptances DROP COLUMN witnessed_by');
    await queryRunner.query('ALTER TABLE staff_accounts DROP COLUMN email');
  }
}
