// The asset register's search compared `LOWER(serial_number) LIKE …` and `LOWER(model) LIKE …`,
// and SQLite's LOWER() folds only A-Z, so a model "ZOË's Chromebook" or a serial with letters past
// A-Z was not found there typed in other capitals (nor, for "Ø", typed exactly), though PostgreSQL
// found it. Assets now keep the serial number's and the model's key by `nameKeyOf`
// (`serial_search_key`, `model_key`, not unique; `serial_key` stays the ASCII key an asset is
// unique and matched with its device by), written by the hub with every write of either, and the
// search compares them with the typed text's key, as 1764900000000 did for devices' and staff's
// names. This migration adds the columns and keys every existing asset in JavaScript.
import { MigrationInterface, QueryRunner } from 'typeorm';
import { nameKeyOf } from '@app/hub-api';

const KEYED = [
  { key: 'serial_search_key', text: 'serial_number' },
  { key: 'model_key', text: 'model' },
];

export class AddAssetSearchKeys1764910000000 implements MigrationInterface {
  name = 'AddAssetSearchKeys1764910000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const p = (index: number) => queryRunner.connection.driver.createParameter(`p${index}`, index);
    for (const keyed of KEYED) {
      // Plain ALTER TABLE, the same on both databases: TypeORM's addColumn rebuilds a SQLite table.
      await queryRunner.query(`ALTER TABLE assets ADD COLUMN ${keyed.key} varchar(255) NULL`);
      const texts = (await queryRunner.query(
        `SELECT DISTINCT ${keyed.text} AS text FROM assets WHERE ${keyed.text} IS NOT NULL`,
      )) as { text: string }[];
      for (const { text } of texts) {
        await queryRunner.query(
          `UPDATE assets SET ${keyed.key} = ${p(0)} WHERE ${keyed.text} = ${p(1)}`,
          [nameKeyOf(text), text],
        );
      }
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const keyed of KEYED) {
      await queryRunner.query(`ALTER TABLE assets DROP COLUMN ${keyed.key}`);
    }
  }
}
