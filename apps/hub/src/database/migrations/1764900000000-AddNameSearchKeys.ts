// Searching by name gave other answers on SQLite than on PostgreSQL: the device search and the
// loan desk's borrower search compared `LOWER(name) LIKE …`, and SQLite's LOWER() folds only
// A-Z, so "ødegård" (or even "Ødegård", typed exactly) never found "Ingrid Ødegård" there, nor
// "zoë" "ZOË-iPad". Devices and staff accounts now keep their name's key by `nameKeyOf`
// (`name_key`, not unique), written by the hub with every write of the name, and the searches
// compare it with the typed text's key. This migration adds the columns and writes the key of
// every existing row in JavaScript, the same function the hub uses (decisions.md, "Searching
// names alike on SQLite and PostgreSQL").
import { MigrationInterface, QueryRunner } from 'typeorm';
import { nameKeyOf } from '@app/hub-api';

const KEYED = [
  { table: 'devices', name: 'name' },
  { table: 'staff_accounts', name: 'display_name' },
];

export class AddNameSearchKeys1764900000000 implements MigrationInterface {
  name = 'AddNameSearchKeys1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const p = (index: number) => queryRunner.connection.driver.createParameter(`p${index}`, index);
    for (const keyed of KEYED) {
      // Plain ALTER TABLE, the same on both databases: TypeORM's addColumn rebuilds a SQLite table.
      await queryRunner.query(`ALTER TABLE ${keyed.table} ADD COLUMN name_key varchar(255) NULL`);
      // One UPDATE per distinct name (a school's 19,000 tablets share few names or none).
      const names = (await queryRunner.query(
        `SELECT DISTINCT ${keyed.name} AS name FROM ${keyed.table} WHERE ${keyed.name} IS NOT NULL`,
      )) as { name: string }[];
      for (const { name } of names) {
        await queryRunner.query(
          `UPDATE ${keyed.table} SET name_key = ${p(0)} WHERE ${keyed.name} = ${p(1)}`,
          [nameKeyOf(name), name],
        );
      }
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const keyed of KEYED) {
      await queryRunner.query(`ALTER TABLE ${keyed.table} DROP COLUMN name_key`);
    }
  }
}
