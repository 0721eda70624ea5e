import { mayDeletePhoto } from './photo-sync';

describe('mayDeletePhoto', () => {
  const sha = 'ab'.repeat(32);
  const receipt = { sha256: sha, storedAt: '2026-06-12T10:00:00Z', storedSha256: 'cd'.repeat(32) };

  it('allows deleting only with a receipt for exactly this file', () => {
    expect(mayDeletePhoto(sha, receipt)).toBe(true);
    expect(mayDeletePhoto(sha, null)).toBe(false);
    expect(mayDeletePhoto('ef'.repeat(32), receipt)).toBe(false);
    expect(mayDeletePhoto(sha, { ...receipt, sha256: sha.toUpperCase() })).toBe(false);
  });
});
