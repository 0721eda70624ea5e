// Whether a device's `failed` compliance is the hub's own judgement that its policies conflict
// (they do not combine into valid settings), rather than the device's answer. Such a failure
// stands until the hub plans the device again: a state report or an answer about the version the
// device had cannot clear it, and judging the same conflict again (at every start, at a group
// change) writes nothing. Devices already failed so are marked from the hub's own words, which it
// has always written for a conflict and nothing else.
import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddPolicyConflict1764880000000 implements MigrationInterface {
  name = 'AddPolicyConflict1764880000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Plain ALTER TABLE, the same on both databases: TypeORM's addColumn rebuilds a SQLite table.
    await queryRunner.query(
      'ALTER TABLE devices ADD COLUMN policy_conflict boolean NOT NULL DEFAULT FALSE',
    );
    const p = (index: number) => queryRunner.connection.driver.createParameter(`p${index}`, index);
    await queryRunner.query(
      `UPDATE devices SET policy_conflict = ${p(0)}
       WHERE policy_status = 'failed' AND policy_detail LIKE ${p(1)}`,
      [true, 'The policies for this device conflict: %'],
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE devices DROP COLUMN policy_conflict');
  }
}
