// Locks the devices of lost assets that a hub before b3cc8db left unlocked. That hub wrote a lost
// report in three transactions (the asset and its `asset.lost`, then the device's lost lock, then
// a trip's overlay), so one killed between the first two left the asset lost and its tablet
// never locked, and every later report was refused as "already lost". Each lost asset whose
// device is enrolled (active, matched by serial key as the hub matches them) and does not hold a
// lock owned by `lost` now gets what the report would have queued: `device.lock` with reason
// `lost` and the lost message, issued by the hub, its desired state owned by `lost`, the open
// unsent locks and unlocks it replaces retired, each audited as the hub's (actor `system`).
//
// A migration rather than a check at every start: only data written before the lost report was
// one transaction is in this state by fault. Today ICT may unlock a lost asset's device on
// purpose, and a device may enrol after its asset was reported lost; a repair at every start could
// not tell those from a half-done report and would lock them again at each start. A migration
// runs once, when such data first meets this hub (a start, a restore or a copy to PostgreSQL).
// Its text is frozen, so it writes the rows itself rather than through the command queue's code.
import { randomUUID } from 'node:crypto';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { deviceLabel } from '../../audit/audit-labels';

/** The lost lock's message, as AssetsService.markLostIn sends it (LOST_LOCK_MESSAGE). */
const LOST_MESSAGE = 'This device has been reported lost. Please bring it to the school office.';

interface LeftUnlocked {
  asset_id: string;
  asset_tag: string;
  device_id: string;
  name: string | null;
  device_tag: string | null;
  serial_number: string;
}

export class LockLostDevicesLeftUnlocked1764875000000 implements MigrationInterface {
  name = 'LockLostDevicesLeftUnlocked1764875000000';

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

    const left = (await queryRunner.query(
      `SELECT a.id AS asset_id, a.asset_tag, d.id AS device_id, d.name,
              d.asset_tag AS device_tag, d.serial_number
         FROM assets a
         JOIN devices d ON d.serial_key = a.serial_key AND d.status = 'active'
        WHERE a.status = 'lost'
          AND (d.desired_lock IS NULL OR d.desired_lock_owner IS NULL
               OR d.desired_lock_owner <> 'lost')
        ORDER BY a.created_at, a.id`,
    )) as LeftUnlocked[];
    const payload = { reason: 'lost', message: LOST_MESSAGE };
    for (const row of left) {
      const target = {
        id: row.device_id,
        label: deviceLabel({
          name: row.name,
          assetTag: row.device_tag,
          serialNumber: row.serial_number,
        }),
      };
      const commandId = randomUUID();
      // A newer lock replaces the open, unsent locks and unlocks of its device (SUPERSEDES).
      const replaced = (await queryRunner.query(
        `SELECT id, type FROM commands
          WHERE device_id = ${p(0)} AND status IN ('pending', 'not_now')
            AND type IN ('device.lock', 'device.unlock')`,
        [row.device_id],
      )) as { id: string; type: string }[];
      for (const old of replaced) {
        await queryRunner.query(
          `UPDATE commands SET status = 'expired', answered_at = ${p(0)}, detail = ${p(1)}
            WHERE id = ${p(2)}`,
          [now, 'replaced by a newer device.lock', old.id],
        );
        await audit('command.superseded', target, {
          commandId: old.id,
          type: old.type,
          by: commandId,
        });
      }
      await queryRunner.query(
        `INSERT INTO commands (id, device_id, type, payload, status, issued_at, expires_at,
           sent_at, answered_at, next_attempt_at, attempts, detail, issued_by_type, issued_by_id,
           group_id)
         VALUES (${p(0)}, ${p(1)}, 'device.lock', ${p(2)}, 'pending', ${p(3)}, NULL, NULL, NULL,
           NULL, 0, NULL, 'system', NULL, NULL)`,
        [commandId, row.device_id, JSON.stringify(payload), now],
      );
      await queryRunner.query(
        `UPDATE devices SET desired_lock = ${p(0)}, desired_lock_owner = 'lost',
           desired_lock_command_id = ${p(1)} WHERE id = ${p(2)}`,
        [JSON.stringify(payload), commandId, row.device_id],
      );
      await audit('command.issued', target, {
        commandId,
        type: 'device.lock',
        payload,
        reason: `asset ${row.asset_tag} was reported lost but its device was never locked`,
      });
    }
  }

  /** The locks stay: a lost device unlocked again is ICT's decision, made through the API. */
  async down(): Promise<void> {
    // Nothing to undo in the schema.
  }
}
