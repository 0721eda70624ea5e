// The few SQL spellings that differ between SQLite and PostgreSQL, for the repositories that
// write their own SQL. Everything else the hub sends is the same text on both.
import type { Driver } from 'typeorm';

/** Whether the hub's database is PostgreSQL (HUB_DB=postgres://...) rather than SQLite. */
export function isPostgres(driver: Driver): boolean {
  return driver.options.type === 'postgres';
}

/** Column types a `VALUES` list carries, as PostgreSQL names them. */
export type ValuesColumnType = 'text' | 'boolean' | 'integer';

/**
 * A bound parameter for a row of a `VALUES (...)` list, at position `index` (0-based) of the
 * statement's parameters. PostgreSQL types a parameter there by nothing around it and so takes it
 * as `text`, which it will not compare with or store in a boolean or integer column: there it is
 * cast to `type`. SQLite stores the value as bound, so it gets the plain placeholder (`?`).
 */
export function valuesParameter(driver: Driver, index: number, type: ValuesColumnType): string {
  const placeholder = driver.createParameter(`p${index + 1}`, index);
  return isPostgres(driver) ? `CAST(${placeholder} AS ${type})` : placeholder;
}

/**
 * `column` (an SQL expression of text) for an ORDER BY that compares it character by character,
 * by code point, on both databases: as is on SQLite (its BINARY collation compares UTF-8 bytes),
 * with `COLLATE "C"` on PostgreSQL, whose own order is the database's collation, chosen when the
 * server was set up (`en_GB.UTF-8` sorts "cb_1" before "cb-1" and ignores control characters).
 * Order every list by text through this, by a key made in JavaScript (`nameSortKeyOf`, `tagKeyOf`)
 * so the order is the same on both (decisions.md, "Lists in one order on SQLite and PostgreSQL").
 *
 * @param column e.g. `d.name_sort_key`
 * @returns e.g. `d.name_sort_key COLLATE "C"` on PostgreSQL; never throws
 */
export function inCodePointOrder(driver: Driver, column: string): string {
  return isPostgres(driver) ? `${column} COLLATE "C"` : column;
}
