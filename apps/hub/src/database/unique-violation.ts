// Recognises a unique-key violation from either database the hub supports, so that a "check then
// insert" race ends in a clear answer (409, or the row the winner wrote) rather than a 500.
// Issue 8 item 3.

/** The fields of a driver error (sqlite3 or pg) that say which constraint failed. */
interface DriverErrorFields {
  code?: unknown;
  errno?: unknown;
  message?: unknown;
  constraint?: unknown;
  detail?: unknown;
  driverError?: unknown;
}

/** PostgreSQL's SQLSTATE for `unique_violation`. */
const POSTGRES_UNIQUE_VIOLATION = '23505';
/** SQLite's extended codes for UNIQUE and PRIMARY KEY violations. */
const SQLITE_UNIQUE_ERRNOS = new Set([2067, 1555]);

function fieldsOf(value: unknown): DriverErrorFields | undefined {
  return typeof value === 'object' && value !== null ? (value as DriverErrorFields) : undefined;
}

function isUniqueViolationFields(error: DriverErrorFields): boolean {
  if (error.code === POSTGRES_UNIQUE_VIOLATION) {
    return true;
  }
  if (typeof error.errno === 'number' && SQLITE_UNIQUE_ERRNOS.has(error.errno)) {
    return true;
  }
  // sqlite3 reports the primary code (SQLITE_CONSTRAINT, errno 19) for every kind of constraint;
  // only the message tells a unique key from NOT NULL, CHECK or a foreign key.
  const message = typeof error.message === 'string' ? error.message : '';
  return (
    (error.code === 'SQLITE_CONSTRAINT' ||
      error.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
      error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') &&
    /UNIQUE constraint failed|PRIMARY KEY constraint failed/.test(message)
  );
}

/**
 * Whether `error` is a unique-key (or primary-key) violation, from SQLite (`SQLITE_CONSTRAINT`
 * with "UNIQUE constraint failed") or PostgreSQL (SQLSTATE `23505`). Looks at the error itself
 * and at TypeORM's `QueryFailedError.driverError`. Never throws; anything else gives `false`.
 *
 * Use it where two requests may insert the same key at once: catch, then answer 409 or read the
 * winner's row (issue 8 item 3).
 *
 * @param error whatever was caught
 * @param constraintHint optional text that must appear in the message or constraint name (a
 *   column such as `"username"`, or an index name) to tell one unique key of a table from another
 */
export function isUniqueViolation(error: unknown, constraintHint?: string): boolean {
  const outer = fieldsOf(error);
  if (!outer) {
    return false;
  }
  const inner = fieldsOf(outer.driverError);
  const candidates = inner ? [outer, inner] : [outer];
  const matched = candidates.find(isUniqueViolationFields);
  if (!matched) {
    return false;
  }
  if (constraintHint === undefined) {
    return true;
  }
  const described = candidates
    .flatMap((candidate) => [candidate.message, candidate.constraint, candidate.detail])
    .filter((text): text is string => typeof text === 'string')
    .join(' ');
  return described.includes(constraintHint);
}
