import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { PhotoThumbnails } from './photo-thumbnails';

/** Waits until `check` is true, polling every 20 ms, or fails after `ms`. */
async function until(check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error('timed out');
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('PhotoThumbnails', () => {
  let dir: string;
  let photo: string;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thumbnails-'));
    photo = path.join(dir, 'photo.jpg');
    await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#3a7' } })
      .jpeg()
      .toFile(photo);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('makes a queued thumbnail only once photos stop arriving', async () => {
    const thumbnails = new PhotoThumbnails(path.join(dir, 'thumbs'), 1);
    let arriving = true;
    thumbnails.yieldTo(() => arriving);
    thumbnails.schedule('a'.repeat(64), photo);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(fs.existsSync(thumbnails.pathOf('a'.repeat(64)))).toBe(false);

    arriving = false;
    await until(() => fs.existsSync(thumbnails.pathOf('a'.repeat(64))), 5000);
    const made = await sharp(thumbnails.pathOf('a'.repeat(64))).metadata();
    expect([made.width, made.height]).toEqual([320, 213]);
  });

  it('makes a queued thumbnail after the longest wait even while photos keep arriving', async () => {
    const thumbnails = new PhotoThumbnails(path.join(dir, 'thumbs'), 1, 300);
    thumbnails.yieldTo(() => true);
    thumbnails.schedule('b'.repeat(64), photo);
    await until(() => fs.existsSync(thumbnails.pathOf('b'.repeat(64))), 5000);
  });

  it("makes a browse's thumbnail at once, photos arriving or not", async () => {
    const thumbnails = new PhotoThumbnails(path.join(dir, 'thumbs'), 1);
    thumbnails.yieldTo(() => true);
    thumbnails.schedule('c'.repeat(64), photo);
    const made = await thumbnails.ensure('c'.repeat(64), photo);
    expect(made).toBe(thumbnails.pathOf('c'.repeat(64)));
    expect(fs.existsSync(made)).toBe(true);
  });
});
