// Removes where a photo was taken (issue 14, protocol section 5; the AUP: photos must not reveal
// where children are): EXIF GPS, XMP exif:GPS*, and IPTC and XMP place names, without
// re-encoding the picture. Through exiftool-vendored's one long-running exiftool process, not a
// process per photo (about 20 ms a photo here).
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { DefaultExiftoolArgs, ExifTool, exiftoolPath } from 'exiftool-vendored';

/** util-linux's setpriv, on Linux: sets the parent-death signal, then runs the command. */
const SETPRIV = '/usr/bin/setpriv';

/**
 * Starts the long-running exiftool so that it dies with the hub. In `-stay_open` mode exiftool
 * reading a closed pipe does not exit: it polls it a hundred times a second for ever, so each hub
 * killed outright (a crash, the OOM killer, SIGKILL in the restart specs) used to leave one behind.
 * On Linux it is started through `setpriv --pdeathsig KILL`, which the kernel acts on when the hub
 * goes, however it goes; elsewhere (or without setpriv) as exiftool-vendored starts it.
 *
 * @returns a processFactory for ExifTool's options, or undefined for the library's own
 */
export function exiftoolProcessFactory(): (() => Promise<ChildProcess>) | undefined {
  if (process.platform !== 'linux' || !existsSync(SETPRIV)) {
    return undefined;
  }
  return async () =>
    spawn(SETPRIV, ['--pdeathsig', 'KILL', '--', await exiftoolPath(), ...DefaultExiftoolArgs], {
      stdio: 'pipe',
      shell: false,
      detached: false,
      env: { LANG: 'C' },
    });
}

/**
 * The location fields this hub deletes, as exiftool tag names (each written as `-name=`, which
 * deletes it). Deleting is all they do: the picture data (from the JPEG's SOS on, the HEIC's
 * image items) is copied as it is, and orientation, camera and time tags stay.
 */
export const LOCATION_TAGS: readonly string[] = [
  'gps:all',
  'xmp-exif:gps*',
  'iptc:city',
  'iptc:sub-location',
  'iptc:province-state',
  'iptc:country-primarylocationname',
  'iptc:country-primarylocationcode',
  'xmp-photoshop:city',
  'xmp-photoshop:state',
  'xmp-photoshop:country',
  'xmp-iptcCore:location',
  'xmp-iptcCore:countrycode',
  'xmp-iptcExt:locationcreated*',
  'xmp-iptcExt:locationshown*',
];

/** The tags ExifTool.write is given: every location field, deleted (null writes `-name=`). */
const DELETE_LOCATION: Record<string, null> = Object.fromEntries(
  LOCATION_TAGS.map((tag) => [tag, null]),
);

@Injectable()
export class LocationStripper implements OnApplicationShutdown {
  // One process: a second is no faster on two cores (stack notes), and photos queue anyway.
  private readonly exiftool = new ExifTool({
    maxProcs: 1,
    taskTimeoutMillis: 60_000,
    processFactory: exiftoolProcessFactory(),
  });

  /**
   * Writes `source` without its location fields to `output` (exiftool's `-o`: the source is
   * left as it is; `output` must not exist yet). Both names must end in the kind's extension
   * (`.jpg`, `.png`, `.heic`): exiftool goes by it. Writing straight to where the copy is wanted
   * (the store's temporary file) spares a copy of the photo and a flush (bench:photos).
   *
   * @throws Error when exiftool cannot read the picture (a damaged one) or write `output`
   */
  async stripInto(source: string, output: string): Promise<void> {
    await this.exiftool.write(source, DELETE_LOCATION, { writeArgs: ['-o', output] });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.exiftool.end();
  }
}
