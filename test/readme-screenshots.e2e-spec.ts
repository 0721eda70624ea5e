// Issue 11: "`npm run screenshots` takes the main screens from the demo into docs/screenshots/,
// and the README shows them", and later issues add their screens to the console. Checks the
// README's pictures exist, that it shows the later issues' screens (a class, the office desk, a
// trip, photos) as well as ICT's, and that every screen in the console's navigation is on
// the screenshot script's list, so none is left out of docs/screenshots/ unnoticed.
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

describe('the README and docs/screenshots', () => {
  const readme = read('README.md');
  const pictures = [...readme.matchAll(/!\[([^\]]*)\]\((docs\/screenshots\/[^)]+)\)/g)].map(
    (match) => ({ alt: match[1], file: match[2] }),
  );

  it('shows pictures that are in docs/screenshots, each with words saying what it is', () => {
    expect(pictures.length).toBeGreaterThanOrEqual(8);
    for (const picture of pictures) {
      expect({ file: picture.file, exists: fs.existsSync(path.join(ROOT, picture.file)) }).toEqual({
        file: picture.file,
        exists: true,
      });
      expect(picture.alt.trim()).not.toBe('');
    }
  });

  it("shows the later issues' screens beside ICT's", () => {
    const shown = pictures.map((picture) => path.basename(picture.file, '.png'));
    for (const screen of ['devices', 'device-detail', 'compliance', 'enrol-token']) {
      expect(shown).toContain(screen);
    }
    // The classroom (issue 12), the office desk and trips (issue 13), photos (issue 14).
    for (const screen of ['class', 'overdue-loans', 'trip', 'photos']) {
      expect(shown).toContain(screen);
    }
  });

  it("has every navigation link of the console on the screenshot script's list", () => {
    const routes = read('apps/teacher-console/src/routes.tsx');
    const labels = [...routes.matchAll(/label: '([^']+)'/g)].map((match) => match[1]);
    expect(labels).toEqual(expect.arrayContaining(['Devices', 'Office desk', 'Trips', 'Photos']));
    const script = read('scripts/screenshots.ts');
    const listed = script.slice(
      script.indexOf('const EXPECTED_SCREENS'),
      script.indexOf('];', script.indexOf('const EXPECTED_SCREENS')),
    );
    // Change password is a form, not a screen worth a picture.
    const missing = labels.filter(
      (label) => label !== 'Change password' && !listed.includes(`'${label}'`),
    );
    expect(missing).toEqual([]);
  });
});
