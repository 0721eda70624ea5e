// Times are stored as ISO 8601 UTC strings: portable across SQLite and PostgreSQL, and they
// sort and compare as text.
import type { ValueTransformer } from 'typeorm';

export const isoDate: ValueTransformer = {
  to: (value: Date | null | undefined) =>
    value instanceof Date ? value.toISOString() : (value ?? null),
  from: (value: string | null) => (value === null || value === undefined ? null : new Date(value)),
};

/** Column options for a time column. */
export function timeColumn(options: { nullable?: boolean } = {}) {
  return {
    type: 'varchar' as const,
    length: 30,
    transformer: isoDate,
    nullable: options.nullable ?? false,
  };
}
