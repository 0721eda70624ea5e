import { DEFAULT_AUP_TEXT } from './default-aup';

describe('the built-in acceptable use policy', () => {
  it('has each point on one line, so a screen of any width wraps it where it fits', () => {
    const lines = DEFAULT_AUP_TEXT.trimEnd().split('\n');
    const points = lines.filter((line) => /^\d+\. /.test(line));

    expect(points).toHaveLength(6);
    // Only the title, blank lines and whole points: no line continues the one before it.
    expect(lines.filter((line) => line !== '' && !/^\d+\. /.test(line))).toEqual([
      'Staff acceptable use of school devices',
    ]);
  });
});
