// Names and tags a school reads as one are one: a group, a policy or a class named "Year 5" and
// another named "year 5 " or "Year  5" were two things, and two enrolled devices could carry the
// asset tag "OAK-07" and "oak-07", which names their stored photos and their trip kit entries.
// Each of these tables gets a key column (the name by `nameKeyOf`: trimmed, inner spaces as one,
// lower case; a device's tag by `tagKeyOf`, as the asset register's `tag_key`) with a UNIQUE
// index, so the database is the judge when two requests (or two hubs) write at once. The names
// stay as typed: the key is only what they are compared by.
//
// A database may already hold such duplicates. Nothing is deleted: of each key, the oldest row
// keeps its name as it is, and each later one is renamed with a number ("year 5 (2)"; a device's
// tag "oak-07.dup2", in the tag's own characters) that no other row has, and the renaming is
// written to the audit log (`hub.duplicate_renamed`), so ICT sees what was renamed and why. Of
// devices, only active ones must differ (a revoked device keeps the tag it had, which its old
// photos and audit entries name); of two active devices with one tag, the one the asset register
// matches by serial number keeps it, otherwise the one enrolled first.
import { MigrationInterface, QueryRunner } from 'typeorm';
import { nameKeyOf, tagKeyOf } from '@app/hub-api';

/** The unique indexes, whose names both databases put in a violation's message or detail. */
export const GROUP_NAME_UNIQUE_INDEX = 'UQ_device_groups_name_key';
export const POLICY_NAME_UNIQUE_INDEX = 'UQ_policies_name_key';
export const CLASS_NAME_UNIQUE_INDEX = 'UQ_classes_name_key';
export const DEVICE_TAG_UNIQUE_INDEX = 'UQ_devices_tag_key';

/** One table of named things, as this migration treats it. */
interface NamedTable {
  table: string;
  /** The audit log's target type for a row (audit-labels). */
  targetType: string;
  /** The longest name the API takes for it (a renamed duplicate must still fit). */
  nameMax: number;
  index: string;
}

const NAMED_TABLES: NamedTable[] = [
  { table: 'device_groups', targetType: 'group', nameMax: 128, index: GROUP_NAME_UNIQUE_INDEX },
  { table: 'policies', targetType: 'policy', nameMax: 128, index: POLICY_NAME_UNIQUE_INDEX },
  { table: 'classes', targetType: 'class', nameMax: 100, index: CLASS_NAME_UNIQUE_INDEX },
];

/** The longest asset tag (devices.asset_tag is varchar(64), the API's pattern 64 characters). */
const TAG_MAX = 64;

interface Row {
  id: string;
  value: string;
}

interface Renaming {
  row: Row;
  renamed: string;
  keptBy: string;
}

/**
 * Which rows keep their value and what the others become: rows come oldest (or most deserving)
 * first; the first of each key keeps it; each later one gets the lowest number that makes a key
 * no row has (nor any renamed one).
 */
function planRenaming(
  rows: Row[],
  keyOf: (value: string) => string,
  numbered: (value: string, n: number) => string,
): { keys: Map<string, string>; renamings: Renaming[] } {
  const keys = new Map<string, string>();
  const keeperOf = new Map<string, Row>();
  const later: Row[] = [];
  for (const row of rows) {
    const key = keyOf(row.value);
    if (keeperOf.has(key)) {
      later.push(row);
    } else {
      keeperOf.set(key, row);
      keys.set(row.id, key);
    }
  }
  const taken = new Set(keeperOf.keys());
  const renamings: Renaming[] = [];
  for (const row of later) {
    let n = 2;
    while (taken.has(keyOf(numbered(row.value, n)))) {
      n += 1;
    }
    const renamed = numbered(row.value, n);
    taken.add(keyOf(renamed));
    keys.set(row.id, keyOf(renamed));
    renamings.push({ row, renamed, keptBy: (keeperOf.get(keyOf(row.value)) as Row).value });
  }
  return { keys, renamings };
}

/** `Year 5 (2)`, the name cut by whole characters so that it fits `max`. */
function numberedName(max: number) {
  return (name: string, n: number): string => {
    const suffix = ` (${n})`;
    const characters = Array.from(name.trim());
    return characters.slice(0, max - suffix.length).join('') + suffix;
  };
}

/** `OAK-07.dup2`: still a valid tag (letters, digits, dots, dashes, underscores), within 64. */
function numberedTag(tag: string, n: number): string {
  const suffix = `.dup${n}`;
  return tag.trim().slice(0, TAG_MAX - suffix.length) + suffix;
}

export class UniqueNamesAndTags1764840000000 implements MigrationInterface {
  name = 'UniqueNamesAndTags1764840000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const p = (index: number) => queryRunner.connection.driver.createParameter(`p${index}`, index);
    const now = new Date().toISOString();
    const audit = async (
      targetType: string,
      targetId: string,
      label: string,
      detail: { field: 'name' | 'assetTag'; was: string; now: string; keptBy: string },
    ) => {
      const entry = { action: 'hub.duplicate_renamed', detail };
      await queryRunner.query(
        `INSERT INTO audit_entries (at, actor_type, actor_id, actor_label, actor_name, action,
           target_type, target_id, target_label, detail, correlation_id)
         VALUES (${p(0)}, 'system', NULL, 'hub', 'hub', ${p(1)}, ${p(2)}, ${p(3)}, ${p(4)},
           ${p(5)}, NULL)`,
        [now, entry.action, targetType, targetId, label, JSON.stringify(entry.detail)],
      );
    };

    for (const named of NAMED_TABLES) {
      await queryRunner.query(`ALTER TABLE ${named.table} ADD COLUMN name_key varchar(255) NULL`);
      const rows = (await queryRunner.query(
        `SELECT id, name AS value FROM ${named.table} ORDER BY created_at, id`,
      )) as Row[];
      const { keys, renamings } = planRenaming(rows, nameKeyOf, numberedName(named.nameMax));
      const renamedTo = new Map(renamings.map((r) => [r.row.id, r.renamed]));
      for (const row of rows) {
        const renamed = renamedTo.get(row.id);
        if (renamed === undefined) {
          await queryRunner.query(
            `UPDATE ${named.table} SET name_key = ${p(0)} WHERE id = ${p(1)}`,
            [keys.get(row.id), row.id],
          );
        } else {
          await queryRunner.query(
            `UPDATE ${named.table} SET name = ${p(0)}, name_key = ${p(1)} WHERE id = ${p(2)}`,
            [renamed, keys.get(row.id), row.id],
          );
        }
      }
      for (const { row, renamed, keptBy } of renamings) {
        await audit(named.targetType, row.id, renamed, {
          field: 'name',
          was: row.value,
          now: renamed,
          keptBy,
        });
      }
      await queryRunner.query(`CREATE UNIQUE INDEX "${named.index}" ON ${named.table} (name_key)`);
    }

    await queryRunner.query('ALTER TABLE devices ADD COLUMN tag_key varchar(128) NULL');
    // Active devices first, the one the register names by serial number before the others,
    // then by enrolment; revoked ones keep their tags and need no unique key among them.
    const devices = (await queryRunner.query(
      `SELECT d.id, d.asset_tag AS value, d.name, d.serial_number, d.status FROM devices d
        WHERE d.asset_tag IS NOT NULL
        ORDER BY CASE WHEN d.status = 'active' THEN 0 ELSE 1 END,
                 CASE WHEN EXISTS (SELECT 1 FROM assets a
                                    WHERE a.serial_number = d.serial_number
                                      AND a.asset_tag = d.asset_tag) THEN 0 ELSE 1 END,
                 d.created_at, d.id`,
    )) as (Row & { name: string | null; serial_number: string; status: string })[];
    const active = devices.filter((d) => d.status === 'active');
    const { keys, renamings } = planRenaming(active, tagKeyOf, numberedTag);
    for (const device of devices) {
      if (!keys.has(device.id)) {
        keys.set(device.id, tagKeyOf(device.value));
      }
    }
    const renamedTo = new Map(renamings.map((r) => [r.row.id, r.renamed]));
    for (const device of devices) {
      const renamed = renamedTo.get(device.id);
      await queryRunner.query(
        `UPDATE devices SET asset_tag = ${p(0)}, tag_key = ${p(1)} WHERE id = ${p(2)}`,
        [renamed ?? device.value, keys.get(device.id), device.id],
      );
    }
    for (const { row, renamed, keptBy } of renamings) {
      const device = row as (typeof devices)[number];
      const name = device.name?.trim() || `serial ${device.serial_number}`;
      await audit('device', device.id, `${name} (asset tag ${renamed})`, {
        field: 'assetTag',
        was: device.value,
        now: renamed,
        keptBy,
      });
    }
    await queryRunner.query(
      `CREATE UNIQUE INDEX "${DEVICE_TAG_UNIQUE_INDEX}" ON devices (tag_key)
         WHERE status = 'active'`,
    );
  }

  /**
   * Drops the indexes and key columns; names and tags renamed by `up` keep their numbers (the
   * audit log says what each was).
   */
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "${DEVICE_TAG_UNIQUE_INDEX}"`);
    await queryRunner.dropColumn('devices', 'tag_key');
    for (const named of [...NAMED_TABLES].reverse()) {
      await queryRunner.query(`DROP INDEX "${named.index}"`);
      await queryRunner.dropColumn(named.table, 'name_key');
    }
  }
}
