// Searching names by part of them, alike on SQLite and PostgreSQL. SQLite's LOWER() folds only
// A-Z, so `LOWER(name) LIKE '%ødegård%'` never found "Ingrid Ødegård" there (PostgreSQL's did):
// a search compares a stored key made by `nameKeyOf` (libs/hub-api) with the key of the typed
// text instead, both made in JavaScript, so the two databases answer alike for any letters and
// the paging stays in the database (decisions.md, "Searching names alike on SQLite and
// PostgreSQL").
import { nameKeyOf } from '@app/hub-api';

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
