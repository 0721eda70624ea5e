import { QueryFailedError } from 'typeorm';
import { isUniqueViolation } from './unique-violation';

describe(isUniqueViolation.name, () => {
  const sqliteError = (message: string) =>
    Object.assign(new Error(message), { code: 'SQLITE_CONSTRAINT', errno: 19 });

  it('recognises SQLite unique and primary-key violations, wrapped by TypeORM or not', () => {
    const unique = sqliteError(
      'SQLITE_CONSTRAINT: UNIQUE constraint failed: staff_accounts.username',
    );
    expect(isUniqueViolation(unique)).toBe(true);
    expect(isUniqueViolation(new QueryFailedError('INSERT', [], unique))).toBe(true);
    expect(isUniqueViolation(unique, 'username')).toBe(true);
    expect(isUniqueViolation(unique, 'serial')).toBe(false);
  });

  it('recognises PostgreSQL SQLSTATE 23505, with its constraint name', () => {
    const pg = Object.assign(new Error('duplicate key value violates unique constraint'), {
      code: '23505',
      constraint: 'UQ_staff_username',
      detail: 'Key (username)=(tom) already exists.',
    });
    expect(isUniqueViolation(new QueryFailedError('INSERT', [], pg))).toBe(true);
    expect(isUniqueViolation(pg, 'username')).toBe(true);
  });

  it('does not take other constraint failures or other errors for one', () => {
    expect(
      isUniqueViolation(sqliteError('SQLITE_CONSTRAINT: NOT NULL constraint failed: x.y')),
    ).toBe(false);
    expect(isUniqueViolation(sqliteError('SQLITE_CONSTRAINT: FOREIGN KEY constraint failed'))).toBe(
      false,
    );
    expect(isUniqueViolation(Object.assign(new Error('fk'), { code: '23503' }))).toBe(false);
    expect(isUniqueViolation(new Error('boom'))).toBe(false);
    expect(isUniqueViolation(undefined)).toBe(false);
    expect(isUniqueViolation('23505')).toBe(false);
  });
});
