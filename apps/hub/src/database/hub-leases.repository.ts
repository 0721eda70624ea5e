// The `hub_leases` table: which hub process holds a named lease, until when (issue 10). Taken and
// renewed by one conditional upsert, so two hubs asking at once never both get it.
import { Injectable } from '@nestjs/common';
import { insertReturning } from './insert-returning';
import type { Tx } from './transaction-runner';

@Injectable()
export class HubLeasesRepository {
  /**
   * Takes the lease `name` for `holder` until `until`, or renews it, if nobody holds it, or
   * `holder` does, or its holder's time ran out by `now` (a hub that died or stalled). One
   * statement: on PostgreSQL a second hub asking at the same moment waits for the first and then
   * finds the lease held.
   *
   * @returns whether `holder` holds the lease now
   */
  async take(tx: Tx, name: string, holder: string, now: Date, until: Date): Promise<boolean> {
    const rows = await insertReturning<{ holder: string }>(tx, {
      table: 'hub_leases',
      columns: ['name', 'holder', 'expires_at'],
      rows: [[name, holder, until.toISOString()]],
      onConflict: (param) =>
        'ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at' +
        ` WHERE hub_leases.holder = excluded.holder OR hub_leases.expires_at <= ${param(now.toISOString())}`,
      returning: ['holder'],
    });
    return rows.some((row) => row.holder === holder);
  }

  /**
   * Ends `holder`'s lease `name`, if it still holds it (a clean shutdown): it expires at the
   * epoch, so the next hub takes it whatever its clock says. Ending it at the holder's own "now"
   * left it held, for a hub whose clock was fast and was then put right, until the fast clock's
   * time came round (a restarted hub ran no scheduled work for as long).
   */
  async release(tx: Tx, name: string, holder: string): Promise<void> {
    const p = (index: number) => tx.connection.driver.createParameter(`p${index + 1}`, index);
    await tx.query(
      `UPDATE hub_leases SET expires_at = ${p(0)} WHERE name = ${p(1)} AND holder = ${p(2)}`,
      [new Date(0).toISOString(), name, holder],
    );
  }

  /** Who holds the lease `name` and until when, or null if it was never taken. */
  async read(tx: Tx, name: string): Promise<{ holder: string; expiresAt: Date } | null> {
    const p = tx.connection.driver.createParameter('p1', 0);
    const rows = (await tx.query(`SELECT holder, expires_at FROM hub_leases WHERE name = ${p}`, [
      name,
    ])) as { holder: string; expires_at: string }[];
    return rows.length === 0
      ? null
      : { holder: rows[0].holder, expiresAt: new Date(rows[0].expires_at) };
  }
}
