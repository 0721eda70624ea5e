// The journal on disk: answers survive a restart, the file stays private and bounded.

import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileJournal } from './file-journal';

describe(FileJournal.name, () => {
  let dir: string;
  let path: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'journal-'));
    path = join(dir, 'journal.jsonl');
  });

  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('keeps answers across a restart, in a file only its owner can read', async () => {
    const journal = await FileJournal.open(path);
    await journal.record('c1', { status: 'acknowledged' });
    await journal.record('c2', { status: 'error', detail: 'no kiosk mode' });
    await journal.close();

    const reopened = await FileJournal.open(path);
    expect(reopened.get('c1')).toEqual({ status: 'acknowledged' });
    expect(reopened.get('c2')).toEqual({ status: 'error', detail: 'no kiosk mode' });
    expect(reopened.get('c3')).toBeUndefined();
    await reopened.close();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('skips a line cut short by a crash and lines that are not final answers', async () => {
    await writeFile(
      path,
      [
        JSON.stringify({ id: 'a', answer: { status: 'acknowledged' }, at: 'x' }),
        JSON.stringify({ id: 'b', answer: { status: 'not_now' }, at: 'x' }),
        JSON.stringify({ id: 'c', answer: { status: 'maybe' }, at: 'x' }),
        '{"id":"d","answer":{"sta',
      ].join('\n'),
    );
    const journal = await FileJournal.open(path);
    expect(journal.get('a')).toEqual({ status: 'acknowledged' });
    expect(journal.get('b')).toBeUndefined();
    expect(journal.get('c')).toBeUndefined();
    expect(journal.get('d')).toBeUndefined();
    await journal.record('e', { status: 'acknowledged' });
    await journal.close();
    expect((await FileJournal.open(path)).get('e')).toEqual({ status: 'acknowledged' });
  });

  it('compacts the file to the newest entries once it grows past twice its capacity', async () => {
    const journal = await FileJournal.open(path, 5);
    for (let i = 1; i <= 11; i += 1) {
      await journal.record(`c${i}`, { status: 'acknowledged' });
    }
    await journal.close();

    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { id: string }).id)).toEqual([
      'c7',
      'c8',
      'c9',
      'c10',
      'c11',
    ]);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const reopened = await FileJournal.open(path, 5);
    expect(reopened.get('c6')).toBeUndefined();
    expect(reopened.get('c11')).toEqual({ status: 'acknowledged' });
    await reopened.close();
  });

  it('compacts an oversized file when it is opened', async () => {
    const text = Array.from(
      { length: 8 },
      (_, i) => `${JSON.stringify({ id: `c${i}`, answer: { status: 'acknowledged' }, at: 'x' })}\n`,
    ).join('');
    await writeFile(path, text);
    const journal = await FileJournal.open(path, 3);
    await journal.close();
    expect((await readFile(path, 'utf8')).trim().split('\n')).toHaveLength(3);
  });
});
