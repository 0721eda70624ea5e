// Column shapes that every migration uses the same way, portable across SQLite and PostgreSQL.
import type { TableColumnOptions } from 'typeorm';

export function idColumn(name = 'id'): TableColumnOptions {
  return { name, type: 'varchar', length: '36', isPrimary: true };
}

export function seqColumn(name = 'seq'): TableColumnOptions {
  return {
    name,
    type: 'integer',
    isPrimary: true,
    isGenerated: true,
    generationStrategy: 'increment',
  };
}

/** ISO 8601 UTC text; see iso-date.transformer.ts. */
export function timeCol(name: string, nullable = false): TableColumnOptions {
  return { name, type: 'varchar', length: '30', isNullable: nullable };
}
