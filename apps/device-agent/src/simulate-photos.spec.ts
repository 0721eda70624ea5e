// The simulator's generated photos: real JPEGs of the size asked for, each one different, each
// decoding to the same picture (sharp decodes them).
import sharp from 'sharp';
import { photoKindOf, photoSha256 } from '@app/devices';
import { noiseJpeg, uniqueJpeg } from './simulate-photos';

describe('simulated photos', () => {
  it('makes JPEGs of exactly the size asked for, different, with the same picture', async () => {
    const size = 300 * 1024;
    const base = await noiseJpeg(size);
    expect(base.length).toBeLessThanOrEqual(size);
    expect(base.length).toBeGreaterThan(size * 0.6);
    const a = uniqueJpeg(base, 'simulated photo a', size);
    const b = uniqueJpeg(base, 'simulated photo b', size);
    expect(a.length).toBe(size);
    expect(b.length).toBe(size);
    expect(photoKindOf(a)).toBe('image/jpeg');
    expect(photoSha256(a)).not.toBe(photoSha256(b));
    const pixels = async (jpeg: Buffer) => sharp(jpeg).raw().toBuffer();
    expect((await pixels(a)).equals(await pixels(base))).toBe(true);
    expect((await sharp(a).metadata()).format).toBe('jpeg');
  });

  it('refuses a size too small for a photo', async () => {
    await expect(noiseJpeg(100)).rejects.toThrow(RangeError);
  });
});
