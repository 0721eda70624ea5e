import {
  checkUploadMetadata,
  PhotoMetadataError,
  sniffImage,
  storedPhotoName,
} from './photo-rules';

describe('photo rules (protocol section 5)', () => {
  const sha256 = '3fa9c0de'.padEnd(64, '0');

  it('names a photo by year, day, trip, tag, local time and hash, in the hub time zone', () => {
    const at = new Date('2026-06-12T23:30:05Z'); // already 13 June in London (summer time)
    expect(
      storedPhotoName({
        takenAt: at,
        timeZone: 'Europe/London',
        tripShortName: 'y4-zoo',
        deviceTag: 'OAK 07/A',
        sha256,
        contentType: 'image/jpeg',
      }),
    ).toEqual({ name: '2026/2026-06-13-y4-zoo/OAK_07_A-003005-3fa9c0de.jpg', day: '2026-06-13' });
    expect(
      storedPhotoName({
        takenAt: at,
        timeZone: 'UTC',
        tripShortName: null,
        deviceTag: 'C02XK1',
        sha256,
        contentType: 'image/heic',
      }).name,
    ).toBe('2026/2026-06-12/C02XK1-233005-3fa9c0de.heic');
  });

  it('checks metadata: 400 for missing or malformed, 415 for another kind', () => {
    const good = { sha256, contentType: 'image/png', takenAt: '2026-06-12T10:00:00+01:00' };
    expect(checkUploadMetadata({ ...good, filename: 'Amelia.png' })).toEqual({
      sha256,
      contentType: 'image/png',
      takenAt: new Date('2026-06-12T09:00:00Z'),
      tripId: null,
    });
    const status = (metadata: Record<string, string>) => {
      try {
        checkUploadMetadata(metadata);
        return 'ok';
      } catch (error) {
        return (error as PhotoMetadataError).status;
      }
    };
    expect(status({ ...good, contentType: 'image/gif' })).toBe(415);
    expect(status({ ...good, sha256: sha256.toUpperCase() })).toBe(400);
    expect(status({ ...good, takenAt: '2026-06-12' })).toBe(400);
    expect(status({ sha256, contentType: 'image/png' })).toBe(400);
    expect(status({ ...good, tripId: 'a b' })).toBe(400);
  });

  it('reads a trip id written in upper case (a Swift UUID) as the hub writes it', () => {
    const tripId = '0b5e7c1a-3d2f-4e6a-9b8c-7d6e5f4a3b2c';
    const good = { sha256, contentType: 'image/png', takenAt: '2026-06-12T10:00:00Z' };
    expect(checkUploadMetadata({ ...good, tripId: tripId.toUpperCase() }).tripId).toBe(tripId);
  });

  it('sniffs JPEG, PNG and HEIC by their first bytes, and nothing else', () => {
    expect(sniffImage(Buffer.from('ffd8ffe000104a464946', 'hex'))).toBe('image/jpeg');
    expect(sniffImage(Buffer.from('89504e470d0a1a0a0000000d', 'hex'))).toBe('image/png');
    expect(sniffImage(Buffer.from('00000018667479706865696300000000', 'hex'))).toBe('image/heic');
    expect(sniffImage(Buffer.from('GIF89a\x00\x00\x00\x00\x00\x00'))).toBeNull();
    expect(sniffImage(Buffer.from('%PDF-1.7 not an image'))).toBeNull();
  });
});
