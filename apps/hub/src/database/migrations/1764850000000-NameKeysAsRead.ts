// Names that look the same are one name, not only names alike but for capitals and spaces
// (1764840000000): "Year 5" and "Year 5" followed by an invisible zero-width space, full-width
// "Ｙｅａｒ 5", Turkish "SINIF 5" and "Sınıf 5" were still two groups, policies or classes staff
// cannot tell apart. `nameKeyOf` now reads them as one; this migration writes every group's,
// policy's and class's key again by it, so a database migrated with the earlier key holds the same
// keys a new one does (and a lookup by name finds the row).
//
// As in 1764840000000, nothing is deleted: of rows whose names are now one, the oldest keeps its
// name and each later one is renamed with a number ("Year 5 (2)") that no other row has, and the
// renaming is written to the audit log (`hub.duplicate_renamed`). Asset tags are letters, digits,
// dots, dashes and underscores only, so their keys (`tagKeyOf`) are unchanged.
import { MigrationInterface, QueryRunner } from 'typeorm';
import { nameKeyOf } from '@app/hub-api';
import {
  CLASS_NAME_UNIQUE_INDEX,
  GROUP_NAME_UNIQUE_INDEX,
  POLICY_NAME_UNIQUE_INDEX,
} from './1764840000000-UniqueNamesAndTags';

const NAMED_TABLES = [
  { table: 'device_groups', targetType: 'group', nameMax: 128, index: GROUP_NAME_UNIQUE_INDEX },
  { table: 'policies', targetType: 'policy', nameMax: 128, index: POLICY_NAME_UNIQUE_INDEX },
  { table: 'classes', targetType: 'class', nameMax: 100, index: CLASS_NAME_UNIQUE_INDEX },
];

interface Row {
  id: string;
  name: string;
  name_key: string;
}

/** `Year 5 (2)`, the name cut by whole characters so that it fits `max`. */
function numberedName(name: string, n: number, max: number): string {
  const suffix = ` (${n})`;
  return (
    Array.from(name.trim())
      .slice(0, max - suffix.length)
      .join('') + suffix
  );
}

export class NameKeysAsRead1764850000000 implements MigrationInterface {
  name = 'NameKeysAsRead1764850000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const p = (index: number) => queryRunner.connection.driver.createParameter(`p${index}`, index);
    const now = new Date().toISOString();
    for (const named of NAMED_TABLES) {
      const rows = (await queryRunner.query(
        `SELECT id, name, name_key FROM ${named.table} ORDER BY created_at, id`,
      )) as Row[];
      // The oldest row of each key keeps its name; later ones take the lowest free number.
      const keeperOf = new Map<string, Row>();
      const later: Row[] = [];
      for (const row of rows) {
        const key = nameKeyOf(row.name);
        if (keeperOf.has(key)) {
          later.push(row);
        } else {
          keeperOf.set(key, row);
        }
      }
      const taken = new Set(keeperOf.keys());
      const writes: { row: Row; name: string; key: string; keptBy?: string }[] = [];
      for (const [key, row] of keeperOf) {
        if (row.name_key !== key) {
          writes.push({ row, name: row.name, key });
        }
      }
      for (const row of later) {
        let n = 2;
        while (taken.has(nameKeyOf(numberedName(row.name, n, named.nameMax)))) {
          n += 1;
        }
        const renamed = numberedName(row.name, n, named.nameMax);
        taken.add(nameKeyOf(renamed));
        const keptBy = (keeperOf.get(nameKeyOf(row.name)) as Row).name;
        writes.push({ row, name: renamed, key: nameKeyOf(renamed), keptBy });
      }
      if (writes.length === 0) {
        continue;
      }
      // Keys move between rows here, so the unique index is made again once all are written.
      await queryRunner.query(`DROP INDEX "${named.index}"`);
      for (const { row, name, key } of writes) {
        await queryRunner.query(
          `UPDATE ${named.table} SET name = ${p(0)}, name_key = ${p(1)} WHERE id = ${p(2)}`,
          [name, key, row.id],
        );
      }
      await queryRunner.query(`CREATE UNIQUE INDEX "${named.index}" ON ${named.table} (name_key)`);
      for (const { row, name, keptBy } of writes) {
        if (keptBy === undefined) {
          continue;
        }
        await queryRunner.query(
          `INSERT INTO audit_entries (at, actor_type, actor_id, actor_label, actor_name, action,
             target_type, target_id, target_label, detail, correlation_id)
           VALUES (${p(0)}, 'system', NULL, 'hub', 'hub', 'hub.duplicate_renamed', ${p(1)},
             ${p(2)}, ${p(3)}, ${p(4)}, NULL)`,
          [
            now,
            named.targetType,
            row.id,
            name,
            JSON.stringify({ field: 'name', was: row.name, now: name, keptBy }),
          ],
        );
      }
    }
  }

  /** Nothing to undo: the keys stay as written, and names renamed keep their numbers. */
  async down(): Promise<void> {}
}
