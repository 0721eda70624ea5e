// Office and ICT: add many assets from a CSV file (POST /api/assets/import, a text/csv body).
// A dry run always comes first (?dryRun=true: the hub reports and changes nothing), then the
// import itself; each shows its progress while the hub works and then its per-row report: how many
// assets are (or would be) created, and each refused row by its line in the file (the header is
// line 1), its column and the reason. Refused rows change nothing; the good rows go in together.
import type { ImportReport } from '@app/hub-api';
import { ASSET_IMPORT_COLUMNS } from '@app/hub-api';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { FileTrigger } from 'react-aria-components';
import { api } from '../api/client';
import { Button, DataTable, ErrorMessage, Link, Page, StatusMessage, TextArea } from '../ui';
import { ASSETS_PATH, csvFileText, notUtf8Words, type CsvFileText } from './asset-words';

const IMPORT_PATH = '/api/assets/import';

/** The example shown on the page: the header names columns by their JSON names. */
const EXAMPLE = `${ASSET_IMPORT_COLUMNS.join(',')}\nLOAN-011,laptop,C02XK1ABCD,ThinkPad 14,Good,`;

interface Loaded {
  /** Where the text came from: the file's name, or "the pasted text". */
  source: string;
  /** Pasted into the page, not read from a file: the page's words say so (sourceWords). */
  pasted: boolean;
  text: string;
}

/**
 * How the page names where the rows came from, in its errors and its "what next": a file is
 * chosen again once corrected, pasted text is corrected in its box and checked again.
 *
 * @param loaded the text being checked or imported
 * @returns `it` ("the file", "the pasted text") and `again` (what to do after fixing the rows)
 */
function sourceWords(loaded: Loaded): { it: string; again: string } {
  return loaded.pasted
    ? {
        it: 'the pasted text',
        again: 'fix the rows listed above in the pasted text and check it again',
      }
    : { it: 'the file', again: 'fix the rows listed above and choose the file again' };
}

/** Data lines of a CSV text (not the header, not trailing empty lines); quoted line breaks count. */
function dataLines(text: string): number {
  const lines = text.replace(/\r\n?/g, '\n').replace(/\n+$/, '').split('\n');
  return Math.max(0, lines.length - 1);
}

export default function ImportPage() {
  const client = useQueryClient();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [pasted, setPasted] = useState('');
  const [readError, setReadError] = useState<string | null>(null);
  const send = (dryRun: boolean) => (text: string) =>
    api<ImportReport>(IMPORT_PATH, {
      method: 'POST',
      query: dryRun ? { dryRun: true } : undefined,
      text: { content: text, contentType: 'text/csv' },
    });
  const check = useMutation({ mutationFn: send(true) });
  const run = useMutation({
    mutationFn: send(false),
    onSuccess: () => client.invalidateQueries({ queryKey: [ASSETS_PATH] }),
  });

  const use = (next: Loaded | null) => {
    setLoaded(next);
    check.reset();
    run.reset();
    if (next) {
      check.mutate(next.text);
    }
  };

  const chooseFile = async (files: FileList | null) => {
    const file = files?.[0];
    setReadError(null);
    if (!file) {
      return;
    }
    let read: CsvFileText;
    try {
      read = csvFileText(new Uint8Array(await file.arrayBuffer()));
    } catch {
      setReadError(`${file.name} could not be read. Save it again as CSV (UTF-8) and retry.`);
      return;
    }
    if ('notUtf8Line' in read) {
      use(null);
      setReadError(notUtf8Words(file.name, read.notUtf8Line));
    } else {
      use({ source: file.name, pasted: false, text: read.text });
    }
  };

  const checked = check.data;
  const imported = run.data;
  const lines = loaded ? dataLines(loaded.text) : 0;
  const words = loaded ? sourceWords(loaded) : null;
  return (
    <Page title="Import assets">
      <p className="back-link">
        <Link href="/inventory">Back to the assets</Link>
      </p>
      <p className="page-intro">
        The first line names the columns: <code>{ASSET_IMPORT_COLUMNS.join(', ')}</code>, in any
        order; <code>assetTag</code> and <code>kind</code> are needed on every row, and a value
        holding a comma goes in double quotes (<code>&quot;ThinkPad 14, Gen 2&quot;</code>). The hub
        checks every row first and changes nothing; then you import. Rows with a problem are left
        out and listed by their line (the header is line 1).
      </p>
      <pre className="import-example" aria-label="Example file">
        {EXAMPLE}
      </pre>

      <h2>1. Choose the file</h2>
      <div className="import-source">
        <FileTrigger
          acceptedFileTypes={['text/csv', '.csv', 'text/plain']}
          onSelect={(files) => void chooseFile(files)}
        >
          <Button variant="primary">Choose a CSV file</Button>
        </FileTrigger>
        <details className="import-paste">
          <summary>Or paste the CSV</summary>
          <TextArea
            label="CSV text"
            rows={6}
            value={pasted}
            onChange={setPasted}
            description="Including the header line."
          />
          <Button
            onPress={() => use({ source: 'the pasted text', pasted: true, text: pasted })}
            isDisabled={pasted.trim() === ''}
          >
            Check the pasted text
          </Button>
        </details>
      </div>
      {readError ? (
        <p className="error-message" role="alert">
          {readError}
        </p>
      ) : null}
      {loaded ? (
        <p>
          <strong>{loaded.source}</strong>: {lines.toLocaleString('en-GB')}{' '}
          {lines === 1 ? 'row' : 'rows'} after the header.
        </p>
      ) : null}

      {loaded ? (
        <>
          <h2>2. Check (nothing is changed)</h2>
          <Progress
            isRunning={check.isPending}
            done={Boolean(checked)}
            running={`Checking ${lines.toLocaleString('en-GB')} rows on the hub…`}
            finished="Checked."
          />
          <ErrorMessage error={check.error} title={`Could not check ${words?.it}.`} />
          {checked ? <ImportResult report={checked} /> : null}
        </>
      ) : null}

      {loaded && checked ? (
        <>
          <h2>3. Import</h2>
          {checked.created === 0 ? (
            <p>No row can be imported: {words?.again}.</p>
          ) : imported ? null : (
            <Button
              variant="primary"
              onPress={() => run.mutate(loaded.text)}
              isPending={run.isPending}
            >
              {`Import ${checked.created} ${checked.created === 1 ? 'asset' : 'assets'}`}
            </Button>
          )}
          <Progress
            isRunning={run.isPending}
            done={Boolean(imported)}
            running={`Importing ${checked.created.toLocaleString('en-GB')} assets…`}
            finished="Imported."
          />
          <ErrorMessage error={run.error} title={`Could not import ${words?.it}.`} />
          {imported ? <ImportResult report={imported} /> : null}
          {imported ? (
            <p>
              <Link href="/inventory">See the assets</Link>
            </p>
          ) : null}
        </>
      ) : null}
    </Page>
  );
}

/** A step's progress: a bar while the hub works, then the words that it is done. */
function Progress(props: { isRunning: boolean; done: boolean; running: string; finished: string }) {
  if (props.isRunning) {
    return (
      <div className="import-progress" role="status">
        <progress aria-label={props.running} />
        <span>{props.running}</span>
      </div>
    );
  }
  return props.done ? <StatusMessage>{props.finished}</StatusMessage> : null;
}

/** The per-row report: created (or would be), then each refused row. */
function ImportResult({ report }: { report: ImportReport }) {
  const verb = report.dryRun
    ? 'would be created'
    : report.created === 1
      ? 'was created'
      : 'were created';
  const rowsWithProblems = new Set(report.errors.map((error) => error.row)).size;
  return (
    <div className="import-report">
      <p className="import-summary">
        <strong>
          {report.created.toLocaleString('en-GB')} {report.created === 1 ? 'asset' : 'assets'}{' '}
          {verb}.
        </strong>{' '}
        {rowsWithProblems === 0
          ? 'No row has a problem.'
          : `${rowsWithProblems} ${rowsWithProblems === 1 ? 'row has' : 'rows have'} a problem and ${
              report.dryRun ? 'will be' : 'were'
            } left out:`}
      </p>
      {report.errors.length ? (
        <DataTable
          label={report.dryRun ? 'Rows with a problem (check)' : 'Rows left out'}
          rows={report.errors}
          rowKey={(error) => `${error.row}:${error.field}:${error.message}`}
          emptyText="No row has a problem."
          columns={[
            { id: 'row', name: 'Line', isRowHeader: true, cell: (error) => error.row },
            { id: 'field', name: 'Column', cell: (error) => error.field },
            { id: 'message', name: 'Problem', cell: (error) => error.message },
          ]}
        />
      ) : null}
    </div>
  );
}
