// `npm run admin -- copy-to-postgres URL` copies into a database of the hub's own: a URL that
// names no database (the server's default would be taken) or names one of PostgreSQL's
// maintenance databases is refused in one line, before anything is read or written. No server is
// needed: the URL is refused before it is used.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runAdminHere as admin } from './support/admin';
import { makeDataDir, startHub } from './support/hub';
import { freePort } from './support/hub-process';

describe('copy-to-postgres into a URL without a database of its own', () => {
  const dataDir = makeDataDir();
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('is refused, naming what is missing or wrong', async () => {
    const sqlite = { HUB_DB: `sqlite:${path.join(dataDir, 'hub.sqlite')}` };
    const hub = await startHub({ dataDir, env: sqlite });
    await hub.close();
    const env = { HUB_DATA_DIR: dataDir, ...sqlite, HUB_PORT: String(await freePort()) };

    for (const url of [
      'postgres://hub:Secret-1@127.0.0.1:5432',
      'postgres://hub:Secret-1@127.0.0.1:5432/',
    ]) {
      expect(await admin(['copy-to-postgres', url], env)).toEqual({
        code: 1,
        out: '',
        err: "The PostgreSQL URL needs a database name, as in 'postgres://hub@127.0.0.1:5432/hub'\n",
      });
    }
    for (const name of ['postgres', 'template0', 'template1']) {
      const url = `postgres://hub:Secret-1@127.0.0.1:5432/${name}`;
      expect(await admin(['copy-to-postgres', url], env)).toEqual({
        code: 1,
        out: '',
        err:
          `The target postgres://hub:***@127.0.0.1:5432/${name} is PostgreSQL's own ${name} ` +
          'database: copy into a new, empty database made for the hub (createdb -O OWNER hub)\n',
      });
    }
  });
});
