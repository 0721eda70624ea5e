// Multi-row INSERTs for the hub's largest writes (a command and an audit row per device in a
// fan-out). TypeORM's insert builder rescans the whole statement once per property, which made
// a 5,000-device policy change spend most of its time building SQL. Identifiers are escaped
// and placeholders made by the driver, so this stays portable across SQLite and PostgreSQL.
import type { EntityTarget, ObjectLiteral } from 'typeorm';
import type { Tx } from './transaction-runner';

/** Rows per statement: 100 rows of ~16 columns stays far below every driver's parameter limit. */
const ROWS_PER_STATEMENT = 100;

export async function bulkInsert<T extends ObjectLiteral>(
  tx: Tx,
  entity: EntityTarget<T>,
  rows: readonly Partial<T>[],
): Promise<void> {
  if (rows.length === 0) {
    return;
  }
  const metadata = tx.connection.getMetadata(entity);
  const driver = tx.connection.driver;
  // A column every row leaves empty is left out, when the database would store NULL anyway:
  // a fan-out's rows have half a dozen such columns, and each was a parameter per row to bind.
  const columns = metadata.columns.filter((column) => {
    if (column.isGenerated || rows[0][column.propertyName as keyof T] === undefined) {
      return false;
    }
    const storesNullWhenLeftOut = column.isNullable && column.default === undefined;
    return (
      !storesNullWhenLeftOut || rows.some((row) => row[column.propertyName as keyof T] !== null)
    );
  });
  const head = `INSERT INTO ${driver.escape(metadata.tableName)} (${columns.map((c) => driver.escape(c.databaseName)).join(', ')}) VALUES `;
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const part = rows.slice(start, start + ROWS_PER_STATEMENT);
    const params: unknown[] = [];
    const tuples = part.map((row) => {
      const slots = columns.map((column) => {
        let value: unknown = row[column.propertyName as keyof T];
        if (column.transformer && !Array.isArray(column.transformer)) {
          value = column.transformer.to(value);
        } else if (value instanceof Date) {
          value = value.toISOString();
        }
        params.push(value === undefined ? null : value);
        return driver.createParameter(`p${params.length}`, params.length - 1);
      });
      return `(${slots.join(', ')})`;
    });
    await tx.query(head + tuples.join(', '), params);
  }
}
