// Removes where a photo was taken (issue 14, protocol section 5; the AUP: photos must not reveal
// where children are): EXIF GPS, XMP exif:GPS*, and IPTC and XMP place names, without
// re-encoding the picture. Through exiftool-vendored's one long-running exiftool process, not a
// process per photo (about 20 ms a photo here).
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ExifTool } from 'exiftool-vendored';

/**
 * The exiftool arguments that delete every location field this hub knows of. Deleting is all
 * they do: the picture data (from the JPEG's SOS on, the HEIC's image items) is copied as it is,
 * and orientation, camera and time tags stay.
 */
export const LOCATION_DELETE_ARGS: readonly string[] = [
  '-gps:all=',
  '-xmp-exif:gps*=',
  '-iptc:city=',
  '-iptc:sub-location=',
  '-iptc:province-state=',
  '-iptc:country-primarylocationname=',
  '-iptc:country-primarylocationcode=',
  '-xmp-photoshop:city=',
  '-xmp-photoshop:state=',
  '-xmp-photoshop:country=',
  '-xmp-iptcCore:location=',
  '-xmp-iptcCore:countrycode=',
  '-xmp-iptcExt:locationcreated*=',
  '-xmp-iptcExt:locationshown*=',
];

@Injectable()
export class LocationStripper implements OnApplicationShutdown {
  // One process: a second is no faster on two cores (stack notes), and photos queue anyway.
  private readonly exiftool = new ExifTool({ maxProcs: 1, taskTimeoutMillis: 60_000 });

  /**
   * Deletes every location field from `file` in place (`-overwrite_original`: exiftool writes a
   * temporary file beside it and renames it over, leaving no `_original` copy). The file's name
   * must end in its kind's extension (`.jpg`, `.png`, `.heic`): exiftool goes by it.
   *
   * @throws Error when exiftool cannot read or write the file (a damaged picture)
   */
  async strip(file: string): Promise<void> {
    await this.exiftool.write(
      file,
      {},
      { writeArgs: ['-overwrite_original', ...LOCATION_DELETE_ARGS] },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.exiftool.end();
  }
}
