// Which hub process this is, for the work that must happen once across the hubs of a cluster
// (issue 10): the holder of a claimed command and of the scheduled-work lease, and the hub that
// holds a device's connection. A new id on every start, so a hub that crashed and came back
// never mistakes its old claims for its own: they run out like those of any dead hub.
import { Injectable } from '@nestjs/common';
import * as crypto from 'node:crypto';
import * as os from 'node:os';

@Injectable()
export class HubInstance {
  /** This process's id, unique across the cluster: a random UUID (36 characters). */
  readonly id = crypto.randomUUID();

  /** For logs and for operators: the machine and process, `<host>/<pid>`. */
  readonly label = `${os.hostname()}/${process.pid}`;
}
