import { plainFieldNames } from './plain-words';

describe('plainFieldNames: the hub’s field names as a member of staff reads them', () => {
  it.each([
    ['DisplayName must not be blank.', 'Display name must not be blank.'],
    ['displayName must be at most 128 characters.', 'Display name must be at most 128 characters.'],
    ['AssetTag must be 1 to 64 letters.', 'Asset tag must be 1 to 64 letters.'],
    [
      'AssetTags: no asset with tag NOPE-99, OAK-06.',
      'Asset tags: no asset with tag NOPE-99, OAK-06.',
    ],
    ['each of deviceIds must be a UUID', 'Each of device IDs must be a UUID'],
    [
      'assetTags must each be 1 to 64 letters: "labTablet/1" and "oakRoom 2" are not',
      'Asset tags must each be 1 to 64 letters: "labTablet/1" and "oakRoom 2" are not',
    ],
    [
      'teacherIds: account x is not a teacher; groupId must be a UUID',
      'Teacher IDs: account x is not a teacher; group ID must be a UUID',
    ],
    [
      'ttlMinutes must not be greater than 10080',
      'Lifetime in minutes must not be greater than 10080',
    ],
  ])('%s', (from, to) => {
    expect(plainFieldNames(from)).toBe(to);
  });

  it('leaves app ids, setting paths, product names and plain words alone', () => {
    for (const text of [
      'The app org.school.mathsApp is not allowed by the policy.',
      'Screen.autoLockMinutes must be between 1 and 60',
      'Only an iPad or a macOS laptop can do that.',
      'The app YouTube is blocked.',
      'Wrong username or password.',
      'Serial number PT-1 is already on asset PT-2.',
    ]) {
      expect(plainFieldNames(text)).toBe(text);
    }
  });
});
