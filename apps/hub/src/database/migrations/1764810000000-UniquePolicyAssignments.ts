// One assignment of a policy to each place (issue 8 item 3, check then insert): the service
// refuses a second assignment of a policy to the same baseline, group or device with a 409, but
// that check and the insert ran in one hub's queue only; two hubs on one database (or a restore
// of such a cluster) could both pass it. The unique index makes the database the judge. A
// baseline assignment has no target (NULL, which a plain unique index never counts as equal), so
// the index is over COALESCE(target_id, ''): SQLite and PostgreSQL both take such an index.
// Duplicates an older cluster may already hold are removed first, the oldest of each kept: the
// same policy twice in one place resolves no differently from once.
import { MigrationInterface, QueryRunner } from 'typeorm';

/** The index's name, which both databases put in a violation's message or constraint field. */
export const POLICY_ASSIGNMENT_UNIQUE_INDEX = 'UQ_policy_assignments_place';

export class UniquePolicyAssignments1764810000000 implements MigrationInterface {
  name = 'UniquePolicyAssignments1764810000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DELETE FROM policy_assignments WHERE id IN (
         SELECT later.id FROM policy_assignments later
         JOIN policy_assignments earlier
           ON earlier.policy_id = later.policy_id
          AND earlier.scope = later.scope
          AND COALESCE(earlier.target_id, '') = COALESCE(later.target_id, '')
          AND (earlier.created_at < later.created_at
               OR (earlier.created_at = later.created_at AND earlier.id < later.id)))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "${POLICY_ASSIGNMENT_UNIQUE_INDEX}"
         ON policy_assignments (policy_id, scope, COALESCE(target_id, ''))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "${POLICY_ASSIGNMENT_UNIQUE_INDEX}"`);
  }
}
