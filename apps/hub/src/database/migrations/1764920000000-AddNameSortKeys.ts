// Lists ordered by name gave other orders on SQLite than on PostgreSQL, and neither the one a
// person expects: the loan desk's borrowers were ordered by `LOWER(display_name)`, and SQLite's
// LOWER() folds only A-Z, so there "Émile" came after "Zoë" and "Ødegård" before "émile"; devices,
// groups, policies and classes by their names as typed, so "emma" after "Zoë" on both, and on a
// PostgreSQL server set up with a language's collation in that language's order. Each named
// table now keeps its name's sort key by `nameSortKeyOf` (`name_sort_key`, not unique), written
// by the hub with every write of the name, and lists order by it compared by code point
// (`inCodePointOrder`), so both databases give one order, the one CLDR gives English readers
// ("Émile" among the Es, "Łukasz" among the Ls, "Year 5" before "Year 10"). This migration adds
// the columns and writes the key of every existing row in JavaScript, the same function the hub
// uses (decisions.md, "Lists in one order on SQLite and PostgreSQL").
import { MigrationInterface, QueryRunner } from 'typeorm';
import { nameSortKeyOf } from '@app/hub-api';

const KEYED = [
  { table: 'staff_accounts', name: 'display_name' },
  { table: 'devices', name: 'name' },
  { table: 'device_groups', name: 'name' },
  { table: 'policies', name: 'name' },
  { table: 'classes', name: 'name' },
];

export class AddNameSortKeys1764920000000 implements MigrationInterface {
  name = 'AddNameSortKeys1764920000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const p = (index: number) => queryRunner.connection.driver.createParameter(`p${index}`, index);
    for (const keyed of KEYED) {
      // Plain ALTER TABLE, the same on both databases: TypeORM's addColumn rebuilds a SQLite
      // table. varchar(800) holds NAME_SORT_KEY_MAX (767) characters.
      await queryRunner.query(
        `ALTER TABLE ${keyed.table} ADD COLUMN name_sort_key varchar(800) NULL`,
      );
      // One UPDATE per distinct name (a school's 19,000 tablets share few names or none).
      const names = (await queryRunner.query(
        `SELECT DISTINCT ${keyed.name} AS name FROM ${keyed.table} WHERE ${keyed.name} IS NOT NULL`,
      )) as { name: string }[];
      for (const { name } of names) {
        await queryRunner.query(
          `UPDATE ${keyed.table} SET name_sort_key = ${p(0)} WHERE ${keyed.name} = ${p(1)}`,
          [nameSortKeyOf(name), name],
        );
      }
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const keyed of KEYED) {
      await queryRunner.query(`ALTER TABLE ${keyed.table} DROP COLUMN name_sort_key`);
    }
  }
}
