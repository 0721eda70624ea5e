// Searching names by part of them, alike on SQLite and PostgreSQL. SQLite's LOWER() folds only
// A-Z, so `LOWER(name) LIKE '%ødegård%'` never found "Ingrid Ødegård" there (PostgreSQL's did):
// a search compares a stored key made by `nameKeyOf` (libs/hub-api) with the key of the typed
// text instead, both made in JavaScript, so the two databases answer alike for any letters and
// the paging stays in the database (decisions.md, "Searching names alike on SQLite and
// PostgreSQL"). Lists are ordered by name the same way, by a stored key made in JavaScript
// (`nameSortKeyOf`), compared by code point on both (decisions.md, "Lists in one order on SQLite
// and PostgreSQL").
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { nameKeyOf, nameSortKeyOf } from '@app/hub-api';
import { inCodePointOrder } from './dialect';

/**
 * `text` with LIKE's wildcards (`%`, `_`) and the escape character (`\`) escaped, for
 * `LIKE … ESCAPE '\'`: what a person types is letters, never a pattern.
 *
 * @param text any text, e.g. "50%_off"
 * @returns it escaped, e.g. "50\%\_off"; never throws
 */
export function escapeLike(text: string): string {
  return text.replace(/[%_\\]/g, (c) => `\\${c}`);
}

/**
 * The LIKE pattern (with `ESCAPE '\'`) that finds a name key holding the key of `typed`: its
 * `nameKeyOf` (NFKC, invisible characters left out, spaces folded, capitals folded through upper
 * case) with wildcards escaped, between `%`s. Compare it with a column written by `nameKeyOf`
 * (`devices.name_key`, `staff_accounts.name_key`), or with one holding ASCII only in lower case.
 *
 * @param typed the search as typed, e.g. "ØDEGÅRD "
 * @returns e.g. "%ødegård%"; never throws
 */
export function nameKeyContaining(typed: string): string {
  return `%${escapeLike(nameKeyOf(typed))}%`;
}

/**
 * The keys the hub stores with a name, written with every write of it: `nameKey` (`nameKeyOf`,
 * what searches compare and groups, policies and classes are unique by) and `nameSortKey`
 * (`nameSortKeyOf`, what lists are ordered by: see `orderByName`).
 *
 * @param name a name as typed, e.g. "Ingrid Ødegård"
 * @returns both keys; never throws
 */
export function nameKeysOf(name: string): { nameKey: string; nameSortKey: string } {
  return { nameKey: nameKeyOf(name), nameSortKey: nameSortKeyOf(name) };
}

/**
 * Orders `query` by name as a person reading the list expects, the same on SQLite and
 * PostgreSQL: by `<alias>.name_sort_key` (`nameSortKeyOf`) by code point, rows without one (an
 * unnamed device) first, then by `then` by code point (an id, or a serial number), so that every
 * row has one place and pages (`offset`, `limit`) neither repeat nor skip a row. Replaces any
 * ORDER BY the query had.
 *
 * @param alias the alias of a table with a `name_sort_key` column (migration 1764920000000)
 * @param then the tie-break, a unique text column; `<alias>.id` when left out
 * @returns the same query builder
 */
export function orderByName<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  alias: string,
  then = `${alias}.id`,
): SelectQueryBuilder<T> {
  const { driver } = query.connection;
  return query
    .orderBy(inCodePointOrder(driver, `${alias}.name_sort_key`), 'ASC', 'NULLS FIRST')
    .addOrderBy(inCodePointOrder(driver, then), 'ASC');
}
