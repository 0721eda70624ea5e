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
  private readonly exiftool = new ExifTool({
    maxProcs: 1,
    taskTimeoutMillis: 60_000,
    processFactory: exiftoolProcessFactory(),
  });

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
