// Reading a CSV of assets (issue 13): the header names the columns by their JSON names, in any
// order; each data row is checked on its own and refused rows are reported by line (the header is
// line 1) and field. Parsing is csv-parse's; this file only checks what it gives.
import { parse } from 'csv-parse/sync';
import { ASSET_IMPORT_COLUMNS, ASSET_KINDS } from '@app/hub-api';
import type { AssetKind, ImportRowError } from '@app/hub-api';
import { plainTextProblem, quotedInput } from '@app/devices';
import { ASSET_TAG_PATTERN, ASSET_TAG_RULE } from './dto/asset.dto';
import { serialKeyOf, tagKeyOf } from '@app/hub-api';

/**
 * A row that passed its own checks (a tag or serial number already in the hub is checked by the
 * caller).
 */
export interface ImportRow {
  row: number;
  assetTag: string;
  kind: AssetKind;
  serialNumber: string | null;
  model: string | null;
  condition: string | null;
  notes: string | null;
}

/** What the file gave: rows that passed their own checks, and the refused ones. */
export interface ParsedImport {
  rows: ImportRow[];
  errors: ImportRowError[];
}

/** The longest file the import takes: 2 MB (about 20,000 rows); more is a 413. */
export const IMPORT_MAX_BYTES = 2 * 1024 * 1024;

/** The separators a header line may use, with their names for a message; the first is the default. */
const DELIMITERS = [
  { char: ',', name: 'comma' },
  // Excel saves "CSV" with semicolons where the comma is the decimal mark (Norway, Germany...).
  { char: ';', name: 'semicolon' },
  { char: '\t', name: 'tab' },
] as const;

/**
 * The separator of a CSV text, read from its header line (its first line that is not empty): a
 * comma if it holds one, else a semicolon, else a tab, else a comma. The header names the columns
 * by their JSON names, which hold none of the three, so its separators are the file's.
 */
function delimiterOf(text: string): (typeof DELIMITERS)[number] {
  const header = text.split(/\r?\n/).find((line) => line.trim() !== '') ?? '';
  return DELIMITERS.find((delimiter) => header.includes(delimiter.char)) ?? DELIMITERS[0];
}

const LIMITS: Record<string, { max: number; multiline?: boolean }> = {
  serialNumber: { max: 128 },
  model: { max: 128 },
  condition: { max: 200 },
  notes: { max: 1000, multiline: true },
};

/**
 * Parses and checks an asset CSV, its values separated by commas, or by semicolons or tabs when
 * its header line holds no comma (delimiterOf). Header problems (an unknown or repeated column, or no
 * `assetTag`/`kind` column) are reported on line 1 and no row is read. A row is refused for more
 * values than the header names columns (a value holding a comma that is not in double quotes:
 * "ThinkPad 14, Gen 2" unquoted is two values, and which column the rest belongs to cannot be
 * known), an empty or malformed tag, a tag repeated in the file (the first one stands), a serial
 * number repeated in the file (compared exactly once trimmed, as with devices; the first one
 * stands), an unknown kind, or a field that breaks the plain-text rule; a blank optional field,
 * or one a short row leaves out, is null. Empty values past the header's columns (a spreadsheet's
 * trailing commas) are ignored.
 *
 * @throws nothing: a file csv-parse cannot read (an unclosed quote) is one error on its line
 */
export function parseAssetCsv(text: string): ParsedImport {
  const errors: ImportRowError[] = [];
  // Each line as its list of values (not as an object by the header's names, which drops the
  // values past the last column without a word).
  let lines: { record: string[]; info: { lines: number }; raw: string }[];
  const body = text.replace(/^\uFEFF/, '');
  const delimiter = delimiterOf(body);
  try {
    lines = parse(body, {
      delimiter: delimiter.char,
      info: true,
      raw: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
    }) as unknown as typeof lines;
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 1;
    return {
      rows: [],
      errors: [
        { row: line, field: 'file', message: `cannot be read as CSV: ${(error as Error).message}` },
      ],
    };
  }
  const header = (lines[0]?.record ?? []).map((name) => name.trim());
  const records = lines.slice(1).map(({ record, info, raw }) => ({
    values: record,
    record: Object.fromEntries(header.map((name, index) => [name, record[index] ?? ''])),
    info,
    raw,
  }));
  const known = new Set<string>(ASSET_IMPORT_COLUMNS);
  const seenColumns = new Set<string>();
  for (const name of header) {
    if (!known.has(name)) {
      errors.push({
        row: 1,
        field: name ? quotedInput(name) : '(blank)',
        message: `unknown column; the columns are ${ASSET_IMPORT_COLUMNS.join(', ')}`,
      });
    } else if (seenColumns.has(name)) {
      errors.push({ row: 1, field: name, message: 'column named twice' });
    }
    seenColumns.add(name);
  }
  for (const required of ['assetTag', 'kind']) {
    if (header.length > 0 && !seenColumns.has(required)) {
      errors.push({ row: 1, field: required, message: 'required column missing' });
    }
  }
  if (header.length === 0) {
    errors.push({ row: 1, field: 'file', message: 'the file is empty: it needs a header line' });
  }
  if (errors.length > 0) {
    return { rows: [], errors };
  }
  const rows: ImportRow[] = [];
  const firstLineOfTag = new Map<string, number>();
  const firstLineOfSerial = new Map<string, number>();
  for (const { values, record, info, raw } of records) {
    // info.lines is the record's last line; a quoted field may span several.
    const row = info.lines - (raw.replace(/\r?\n$/, '').match(/\n/g)?.length ?? 0);
    const problems: ImportRowError[] = [];
    const counted = values.length - trailingEmpty(values);
    if (counted > header.length) {
      errors.push({
        row,
        field: 'row',
        message:
          `has ${counted} values where the header names ${header.length} columns: a value ` +
          `holding a ${delimiter.name} must be in double quotes` +
          (delimiter.char === '\t' ? '' : `, such as "ThinkPad 14${delimiter.char} Gen 2"`),
      });
      continue;
    }
    const tag = (record.assetTag ?? '').trim();
    if (tag === '') {
      problems.push({ row, field: 'assetTag', message: 'is empty' });
    } else if (!ASSET_TAG_PATTERN.test(tag)) {
      problems.push({ row, field: 'assetTag', message: `must be ${ASSET_TAG_RULE}` });
    } else if (firstLineOfTag.has(tagKeyOf(tag))) {
      problems.push({
        row,
        field: 'assetTag',
        message: `${tag} is repeated in the file (first on line ${firstLineOfTag.get(tagKeyOf(tag))})`,
      });
    } else {
      firstLineOfTag.set(tagKeyOf(tag), row);
    }
    const kind = (record.kind ?? '').trim();
    if (!(ASSET_KINDS as readonly string[]).includes(kind)) {
      problems.push({
        row,
        field: 'kind',
        message:
          kind === ''
            ? 'is empty'
            : `unknown kind ${quotedInput(kind)}; one of ${ASSET_KINDS.join(', ')}`,
      });
    }
    const optional: Record<string, string | null> = {};
    for (const [field, rule] of Object.entries(LIMITS)) {
      const value = (record[field] ?? '').trim();
      if (value === '') {
        optional[field] = null;
        continue;
      }
      const problem = plainTextProblem(value, rule);
      if (problem) {
        problems.push({ row, field, message: problem });
      }
      optional[field] = value;
    }
    const serial = optional.serialNumber;
    // Alike but for capitals is one serial number (serialKeyOf), as in the register.
    const serialKey = serial === null ? null : serialKeyOf(serial);
    if (serialKey !== null && firstLineOfSerial.has(serialKey)) {
      problems.push({
        row,
        field: 'serialNumber',
        message: `${quotedInput(serial ?? '')} is repeated in the file (first on line ${firstLineOfSerial.get(serialKey)})`,
      });
    } else if (serialKey !== null) {
      firstLineOfSerial.set(serialKey, row);
    }
    if (problems.length > 0) {
      errors.push(...problems);
      continue;
    }
    rows.push({
      row,
      assetTag: tag,
      kind: kind as AssetKind,
      serialNumber: optional.serialNumber,
      model: optional.model,
      condition: optional.condition,
      notes: optional.notes,
    });
  }
  return { rows, errors };
}

/** How many of `values` at its end are empty. */
function trailingEmpty(values: readonly string[]): number {
  let count = 0;
  while (count < values.length && values[values.length - 1 - count].trim() === '') {
    count += 1;
  }
  return count;
}
