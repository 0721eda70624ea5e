// Inserts rows and learns which of them the database took, in one statement on SQLite and
// PostgreSQL alike: the arbiter for work that must happen once across hubs (issue 10), where an
// insert that meets an existing key is the answer "someone else was first".
import type { Tx } from './transaction-runner';

/** Rows per statement: well below every driver's parameter limit for a few columns. */
const ROWS_PER_STATEMENT = 300;

export interface InsertReturningOptions {
  /** The table, as written in SQL (a plain lower-case name). */
  table: string;
  /** Its columns that each row gives, in order; text columns only (see below). */
  columns: readonly string[];
  /** The rows: one value per column, strings or null. */
  rows: readonly (readonly (string | null)[])[];
  /**
   * What to do on a key already there: the `ON CONFLICT ...` clause, written with `excluded.*`
   * for the incoming row. `param(value)` binds a further value and returns its placeholder.
   */
  onConflict: (param: (value: string) => string) => string;
  /** The columns to return of each row the statement inserted or updated. */
  returning: readonly string[];
}

/**
 * Runs `WITH incoming (columns) AS (VALUES ...) INSERT INTO table (columns) SELECT ... FROM
 * incoming WHERE true ON CONFLICT ... RETURNING ...` in the caller's transaction and returns the
 * rows it wrote, `ROWS_PER_STATEMENT` rows a statement.
 *
 * Written as a `WITH` statement on purpose: TypeORM's SQLite runner runs any statement that
 * begins with `INSERT` without collecting rows, so a plain `INSERT ... RETURNING` returns nothing
 * there (SQLite itself has had RETURNING since 3.35). `WHERE true` is SQLite's rule for an
 * upsert fed by a SELECT. PostgreSQL types the parameters of a `VALUES` list as text, hence
 * text columns only (every hub time is ISO text).
 */
export async function insertReturning<R>(tx: Tx, options: InsertReturningOptions): Promise<R[]> {
  const driver = tx.connection.driver;
  const written: R[] = [];
  const names = options.columns.join(', ');
  for (let start = 0; start < options.rows.length; start += ROWS_PER_STATEMENT) {
    const part = options.rows.slice(start, start + ROWS_PER_STATEMENT);
    const params: unknown[] = [];
    const param = (value: unknown): string => {
      params.push(value);
      return driver.createParameter(`p${params.length}`, params.length - 1);
    };
    const tuples = part.map((row) => `(${row.map((value) => param(value)).join(', ')})`);
    const onConflict = options.onConflict(param);
    const sql =
      `WITH incoming (${names}) AS (VALUES ${tuples.join(', ')}) ` +
      `INSERT INTO ${options.table} (${names}) SELECT ${names} FROM incoming WHERE true ` +
      `${onConflict} RETURNING ${options.returning.join(', ')}`;
    written.push(...((await tx.query(sql, params)) as R[]));
  }
  return written;
}
