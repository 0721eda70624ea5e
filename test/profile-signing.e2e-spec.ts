// The hub's CA work stays off the event loop (issue 8 item 23): the profile-signing key is made
// once, in the thread pool, and kept in memory; no profile is signed with forge's JavaScript RSA
// or reads its key again. A fresh hub, so that its first profile is made here.
import forge from 'node-forge';
import { startHub, TestHub } from './support/hub';

// The module itself (an `import * as` copy could not be watched): the hub's code calls it too.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeCrypto = require('node:crypto') as typeof import('node:crypto');

describe('profile signing', () => {
  let hub: TestHub;
  let admin: string;

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
  });
  afterAll(() => hub.close());

  it('makes the signing key once, off the event loop, and signs every profile with Node crypto', async () => {
    const policies = await hub.http.get('/api/policies').set('Authorization', `Bearer ${admin}`);
    const baselineId = (policies.body as { id: string }[])[0].id;
    const watched = {
      forgeKeyPair: jest.spyOn(forge.pki.rsa, 'generateKeyPair'),
      forgeKeyFromPem: jest.spyOn(forge.pki, 'privateKeyFromPem'),
      syncKeyPair: jest.spyOn(nodeCrypto, 'generateKeyPairSync'),
      keyObjects: jest.spyOn(nodeCrypto, 'createPrivateKey'),
    };
    try {
      const profile = () =>
        hub.http
          .get(`/api/policies/${baselineId}/profile.mobileconfig`)
          .set('Authorization', `Bearer ${admin}`);
      // The first profiles at once (the key is made for the first), then more one by one.
      const answers = await Promise.all([profile(), profile(), profile(), profile()]);
      for (let i = 0; i < 4; i += 1) {
        answers.push(await profile());
      }
      expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(200));
      expect(watched.forgeKeyPair).not.toHaveBeenCalled();
      expect(watched.forgeKeyFromPem).not.toHaveBeenCalled();
      expect(watched.syncKeyPair).not.toHaveBeenCalled();
      // The new key is turned into a KeyObject once, for all eight.
      expect(watched.keyObjects).toHaveBeenCalledTimes(1);
    } finally {
      Object.values(watched).forEach((spy) => spy.mockRestore());
    }
  });
});
