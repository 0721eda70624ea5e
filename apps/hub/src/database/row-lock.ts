// Row locks for "read, decide, write" inside one transaction (engineering guide, Data: a state
// change that depends on the current state is one conditional statement or a row lock).
// PostgreSQL takes `FOR UPDATE` row locks, so a concurrent transaction waits for this one to end
// and then sees its writes. SQLite has no row locks and needs none here: the hub's transactions
// run one at a time (TransactionRunner), so nothing else can change a row read inside one.
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/**
 * Locks the rows `query` reads until the transaction ends, where the database has row locks
 * (PostgreSQL); returns the same builder. Use it only inside a transaction.
 *
 * @param of the aliases whose rows are locked (`FOR UPDATE OF a`), for a read that joins tables
 *   it only reads; all of them when omitted
 */
export function forUpdate<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  of?: string[],
): SelectQueryBuilder<T> {
  return query.connection.driver.options.type === 'postgres'
    ? query.setLock('pessimistic_write', undefined, of)
    : query;
}

/**
 * Locks the rows `query` reads against change until the transaction ends, where the database has
 * row locks (PostgreSQL `FOR SHARE`): others may read and share-lock them too, but an `UPDATE` or
 * `DELETE` of them waits for this transaction, and this one waits for such a change in flight and
 * then reads what it committed. For a check whose facts must hold until the write it allows
 * commits (a teacher's reach over their classes' tablets). Use it only inside a transaction.
 */
export function forShare<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
): SelectQueryBuilder<T> {
  return query.connection.driver.options.type === 'postgres'
    ? query.setLock('pessimistic_read')
    : query;
}
