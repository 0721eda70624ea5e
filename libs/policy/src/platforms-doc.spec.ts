// docs/policy-platforms.md is made from PLATFORM_SUPPORT; this fails when the committed page is
// not what `npm run docs:platforms` makes from the table today.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderPlatformDoc } from './platforms-doc';
import { PLATFORM_SUPPORT } from './platforms';
import { SETTING_PATHS } from './settings';

describe('renderPlatformDoc', () => {
  it('is what docs/policy-platforms.md says (run `npm run docs:platforms` after a change)', () => {
    const committed = readFileSync(
      join(__dirname, '..', '..', '..', 'docs', 'policy-platforms.md'),
      'utf8',
    );
    expect(committed).toBe(renderPlatformDoc());
  });

  it('covers every setting, with a note wherever a platform falls short', () => {
    expect(Object.keys(PLATFORM_SUPPORT).sort()).toEqual([...SETTING_PATHS].sort());
    for (const path of SETTING_PATHS) {
      const { linux, ipad } = PLATFORM_SUPPORT[path];
      for (const platform of [linux, ipad]) {
        if (platform.support !== 'yes') {
          expect(platform.note).not.toBe('');
        }
      }
    }
  });
});
