// One asset per serial number. Assets are matched with enrolled devices by serial number, so two
// assets with one serial put one device on loan and on a trip at once, and the device's asset tag
// flipped to whichever asset was written last. The service refuses a second one with a 409 naming
// the asset that has it; this unique index makes the database the judge when two requests (or two
// hubs) write at once. Serials are compared exactly, as the join with devices compares them
// (surrounding spaces never reach the table: the API and the CSV import trim them).
//
// A database may already hold duplicates. No asset is deleted: of each serial number, the oldest
// asset keeps it (the one that would have been there first had the rule held), and each later one
// has its serial number cleared, with a sentence at the head of its notes saying which serial it
// had and which asset holds it, so staff see it on the asset's page and can sort it out. An
// active device with that serial takes the keeper's tag again, as matching would have given it.
import { MigrationInterface, QueryRunner } from 'typeorm';

/** The index's name, which both databases put in a violation's message or constraint field. */
export const ASSET_SERIAL_UNIQUE_INDEX = 'UQ_assets_serial_number';

/** The longest notes an asset takes (assets.notes is varchar(1000)). */
const NOTES_MAX = 1000;

interface DuplicateRow {
  id: string;
  asset_tag: string;
  serial_number: string;
  notes: string | null;
}

export class UniqueAssetSerialNumbers1764820000000 implements MigrationInterface {
  name = 'UniqueAssetSerialNumbers1764820000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const p = (index: number) => queryRunner.connection.driver.createParameter(`p${index}`, index);
    const rows = (await queryRunner.query(
      `SELECT id, asset_tag, serial_number, notes FROM assets
        WHERE serial_number IN (
          SELECT serial_number FROM assets WHERE serial_number IS NOT NULL
           GROUP BY serial_number HAVING COUNT(*) > 1)
        ORDER BY serial_number, created_at, id`,
    )) as DuplicateRow[];
    const now = new Date().toISOString();
    let keeper: DuplicateRow | null = null;
    for (const row of rows) {
      if (keeper?.serial_number !== row.serial_number) {
        keeper = row;
        await queryRunner.query(
          `UPDATE devices SET asset_tag = ${p(0)} WHERE serial_number = ${p(1)} AND status = 'active'`,
          [row.asset_tag, row.serial_number],
        );
        continue;
      }
      const note =
        `Serial number ${row.serial_number} was cleared on ${now.slice(0, 10)}: asset ` +
        `${keeper.asset_tag} has it too, and one serial number names one asset.`;
      const notes = (row.notes ? `${note} ${row.notes}` : note).slice(0, NOTES_MAX);
      await queryRunner.query(
        `UPDATE assets SET serial_number = NULL, notes = ${p(0)}, updated_at = ${p(1)} ` +
          `WHERE id = ${p(2)}`,
        [notes, now, row.id],
      );
    }
    await queryRunner.query(
      `CREATE UNIQUE INDEX "${ASSET_SERIAL_UNIQUE_INDEX}" ON assets (serial_number)
         WHERE serial_number IS NOT NULL`,
    );
  }

  /** Drops the index; serial numbers cleared by `up` stay cleared (their notes say which). */
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "${ASSET_SERIAL_UNIQUE_INDEX}"`);
  }
}
