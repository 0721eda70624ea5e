// A data table on react-aria-components' Table: rows from the hub, columns declared once, an
// empty state in words. Paging and sorting stay with the hub (server-side); the page passes the
// rows it has. Wide tables scroll inside their own box, never the page; a table of long text
// (the audit log) can instead stack each row as a card on a narrow screen (`stackWhenNarrow`).
import type { ReactNode } from 'react';
import { Cell, Column, Row, Table, TableBody, TableHeader } from 'react-aria-components';

export interface DataColumn<T> {
  id: string;
  /** The column heading. */
  name: string;
  cell: (row: T) => ReactNode;
  /** Marks the column that names the row (read first by screen readers). */
  isRowHeader?: boolean;
}

export interface DataTableProps<T> {
  /** The table's accessible name ("Devices"). */
  label: string;
  columns: DataColumn<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string | number;
  /** Shown when there are no rows ("No devices match."). */
  emptyText: string;
  /**
   * Below 900 px wide (a portrait iPad), each row is a card of its cells one under another, each
   * with its column's name beside it, so a long column (a detail) gets the full width.
   */
  stackWhenNarrow?: boolean;
}

/** A table of `rows`, one column per `columns` entry, named `label` for screen readers. */
export function DataTable<T>({
  label,
  columns,
  rows,
  rowKey,
  emptyText,
  stackWhenNarrow = false,
}: DataTableProps<T>) {
  return (
    <div className="table-scroll">
      <Table
        aria-label={label}
        className={stackWhenNarrow ? 'data-table stack-when-narrow' : 'data-table'}
      >
        <TableHeader columns={columns}>
          {(column) => (
            <Column id={column.id} isRowHeader={column.isRowHeader}>
              {column.name}
            </Column>
          )}
        </TableHeader>
        <TableBody
          items={rows.map((row) => ({ id: rowKey(row), row }))}
          renderEmptyState={() => <p className="table-empty">{emptyText}</p>}
        >
          {(item) => (
            <Row id={item.id} columns={columns}>
              {(column) => (
                <Cell className={`cell-${column.id}`} data-label={column.name}>
                  {column.cell(item.row)}
                </Cell>
              )}
            </Row>
          )}
        </TableBody>
      </Table>
    </div>
  );
}
