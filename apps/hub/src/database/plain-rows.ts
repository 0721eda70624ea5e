// Reads a query's rows straight into entity-shaped objects. TypeORM's own hydration (alias maps,
// relation bookkeeping, a metadata lookup per value) cost more than the query itself when a
// policy change fetched 5,000 open commands at once. Each value still goes through the driver's
// own conversion and the column's transformer, so the result is what getMany() would give.
// Only for single-table queries that select every column (no joins, no partial selects).
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

export async function getManyPlain<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
): Promise<T[]> {
  const mainAlias = query.expressionMap.mainAlias;
  if (!mainAlias?.hasMetadata || query.expressionMap.joinAttributes.length > 0) {
    throw new Error('getManyPlain reads single-table queries only');
  }
  const metadata = mainAlias.metadata;
  const driver = query.connection.driver;
  const columns = metadata.columns.map((column) => ({
    column,
    key: `${mainAlias.name}_${column.databaseName}`,
    property: column.propertyName,
  }));
  const raws = await query.getRawMany<Record<string, unknown>>();
  return raws.map((raw) => {
    const entity: Record<string, unknown> = {};
    for (const { column, key, property } of columns) {
      entity[property] = driver.prepareHydratedValue(raw[key], column);
    }
    return entity as T;
  });
}
