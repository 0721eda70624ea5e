// Serial numbers alike but for capitals are one serial number. Assets were matched with enrolled
// devices, and kept unique, by their serial numbers compared exactly (1764820000000), so an asset
// typed "c02xk1" never matched the device that enrolled as "C02XK1" (it never took the asset's
// tag, and a trip's overlay missed it), and "C02XK1" and "c02xk1" could be two assets. Assets
// and devices now get `serial_key` (the serial by `serialKeyOf`: ASCII letters in capitals), each
// with a partial UNIQUE index, and the hub matches an asset with its device by it. The serials
// stay as typed (and as reported): the key is only what they are compared by. The exact index
// UQ_assets_serial_number gives way to UQ_assets_serial_key, which allows all it allowed less.
//
// A database may already hold such duplicates. No asset is deleted, as in 1764820000000: of each
// key, the oldest asset keeps its serial number, and each later one has it cleared, with a
// sentence at the head of its notes saying which serial it had and which asset has it. Of devices
// (whose serial is their certificate's name, so it cannot be cleared), the active one keeps the
// key, then the one the register names exactly, then the one enrolled first; any other keeps its
// serial with no key, and so matches no asset. An active device that the register now names by
// its key and did not name exactly before takes that asset's tag, as saving the asset would give
// it (taken, audited, off another active device tagged so by hand), and the audit log says so.
import { MigrationInterface, QueryRunner } from 'typeorm';
import { serialKeyOf } from '@app/hub-api';
import { deviceLabel } from '../../audit/audit-labels';
import { ASSET_SERIAL_UNIQUE_INDEX } from './1764820000000-UniqueAssetSerialNumbers';

/** The unique indexes, whose names both databases put in a violation's message or detail. */
export const ASSET_SERIAL_KEY_UNIQUE_INDEX = 'UQ_assets_serial_key';
export const DEVICE_SERIAL_KEY_UNIQUE_INDEX = 'UQ_devices_serial_key';

/** The longest notes an asset takes (assets.notes is varchar(1000)). */
const NOTES_MAX = 1000;

interface AssetRow {
  id: string;
  asset_tag: string;
  serial_number: string;
  notes: string | null;
}

interface DeviceRow {
  id: string;
  serial_number: string;
}

interface NewMatch {
  asset_id: string;
  asset_tag: string;
  tag_key: string;
  device_id: string;
  name: string | null;
  serial_number: string;
  device_tag: string | null;
  device_tag_key: string | null;
}

export class SerialNumbersAsOne1764860000000 implements MigrationInterface {
  name = 'SerialNumbersAsOne1764860000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const p = (index: number) => queryRunner.connection.driver.createParameter(`p${index}`, index);
    const now = new Date().toISOString();
    const audit = async (
      action: string,
      target: { id: string; label: string },
      detail: Record<string, unknown>,
    ) => {
      await queryRunner.query(
        `INSERT INTO audit_entries (at, actor_type, actor_id, actor_label, actor_name, action,
           target_type, target_id, target_label, detail, correlation_id)
         VALUES (${p(0)}, 'system', NULL, 'hub', 'hub', ${p(1)}, 'device', ${p(2)}, ${p(3)},
           ${p(4)}, NULL)`,
        [now, action, target.id, target.label, JSON.stringify(detail)],
      );
    };

    await queryRunner.query('ALTER TABLE assets ADD COLUMN serial_key varchar(128) NULL');
    await queryRunner.query('ALTER TABLE devices ADD COLUMN serial_key varchar(128) NULL');

    // Devices: the one that deserves the key most comes first.
    const devices = (await queryRunner.query(
      `SELECT d.id, d.serial_number FROM devices d
        ORDER BY CASE WHEN d.status = 'active' THEN 0 ELSE 1 END,
                 CASE WHEN EXISTS (SELECT 1 FROM assets a
                                    WHERE a.serial_number = d.serial_number) THEN 0 ELSE 1 END,
                 d.created_at, d.id`,
    )) as DeviceRow[];
    const deviceKeys = new Set<string>();
    for (const device of devices) {
      const key = serialKeyOf(device.serial_number);
      if (deviceKeys.has(key)) {
        continue;
      }
      deviceKeys.add(key);
      await queryRunner.query(`UPDATE devices SET serial_key = ${p(0)} WHERE id = ${p(1)}`, [
        key,
        device.id,
      ]);
    }
    await queryRunner.query(
      `CREATE UNIQUE INDEX "${DEVICE_SERIAL_KEY_UNIQUE_INDEX}" ON devices (serial_key)
         WHERE serial_key IS NOT NULL`,
    );

    // Assets: the oldest of each key keeps its serial number.
    const assets = (await queryRunner.query(
      `SELECT id, asset_tag, serial_number, notes FROM assets
        WHERE serial_number IS NOT NULL ORDER BY created_at, id`,
    )) as AssetRow[];
    const keeperOf = new Map<string, AssetRow>();
    for (const asset of assets) {
      const key = serialKeyOf(asset.serial_number);
      const keeper = keeperOf.get(key);
      if (!keeper) {
        keeperOf.set(key, asset);
        await queryRunner.query(`UPDATE assets SET serial_key = ${p(0)} WHERE id = ${p(1)}`, [
          key,
          asset.id,
        ]);
        continue;
      }
      const note =
        `Serial number ${asset.serial_number} was cleared on ${now.slice(0, 10)}: asset ` +
        `${keeper.asset_tag} has ${keeper.serial_number}, the same serial number in other ` +
        'capitals, and one serial number names one asset.';
      const notes = (asset.notes ? `${note} ${asset.notes}` : note).slice(0, NOTES_MAX);
      await queryRunner.query(
        `UPDATE assets SET serial_number = NULL, notes = ${p(0)}, updated_at = ${p(1)} ` +
          `WHERE id = ${p(2)}`,
        [notes, now, asset.id],
      );
    }
    await queryRunner.query(`DROP INDEX "${ASSET_SERIAL_UNIQUE_INDEX}"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "${ASSET_SERIAL_KEY_UNIQUE_INDEX}" ON assets (serial_key)
         WHERE serial_key IS NOT NULL`,
    );

    // Devices the register names now and did not before take the asset's tag.
    const matches = (await queryRunner.query(
      `SELECT a.id AS asset_id, a.asset_tag, a.tag_key, d.id AS device_id, d.name,
              d.serial_number, d.asset_tag AS device_tag, d.tag_key AS device_tag_key
         FROM assets a
         JOIN devices d ON d.serial_key = a.serial_key AND d.status = 'active'
        WHERE a.serial_number <> d.serial_number
        ORDER BY a.created_at, a.id`,
    )) as NewMatch[];
    for (const match of matches) {
      if (match.device_tag_key === match.tag_key) {
        continue;
      }
      const others = (await queryRunner.query(
        `SELECT id, name, serial_number, asset_tag FROM devices
          WHERE tag_key = ${p(0)} AND status = 'active' AND id <> ${p(1)}`,
        [match.tag_key, match.device_id],
      )) as { id: string; name: string | null; serial_number: string; asset_tag: string }[];
      for (const other of others) {
        await queryRunner.query(
          `UPDATE devices SET asset_tag = NULL, tag_key = NULL WHERE id = ${p(0)}`,
          [other.id],
        );
        await audit(
          'device.updated',
          {
            id: other.id,
            label: deviceLabel({
              name: other.name,
              assetTag: null,
              serialNumber: other.serial_number,
            }),
          },
          {
            changed: ['assetTag'],
            previous: { assetTag: other.asset_tag },
            reason: `asset ${match.asset_tag} of the register names the device with serial ${match.serial_number}`,
          },
        );
      }
      await queryRunner.query(
        `UPDATE devices SET asset_tag = ${p(0)}, tag_key = ${p(1)} WHERE id = ${p(2)}`,
        [match.asset_tag, match.tag_key, match.device_id],
      );
      await audit(
        'asset.device_matched',
        {
          id: match.device_id,
          label: deviceLabel({
            name: match.name,
            assetTag: match.asset_tag,
            serialNumber: match.serial_number,
          }),
        },
        {
          assetId: match.asset_id,
          assetTag: match.asset_tag,
          serialNumber: match.serial_number,
          previousAssetTag: match.device_tag,
        },
      );
    }
  }

  /**
   * Drops the keys and their indexes and makes the exact index again (the keys were stricter, so
   * it holds); serial numbers cleared and tags given by `up` stay (the notes and the audit log
   * say which).
   */
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "${ASSET_SERIAL_KEY_UNIQUE_INDEX}"`);
    await queryRunner.query(`DROP INDEX "${DEVICE_SERIAL_KEY_UNIQUE_INDEX}"`);
    await queryRunner.dropColumn('assets', 'serial_key');
    await queryRunner.dropColumn('devices', 'serial_key');
    await queryRunner.query(
      `CREATE UNIQUE INDEX "${ASSET_SERIAL_UNIQUE_INDEX}" ON assets (serial_number)
         WHERE serial_number IS NOT NULL`,
    );
  }
}
