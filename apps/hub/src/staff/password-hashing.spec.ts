import { loadHubConfig } from '../config/hub-config';
import { hashPassword, verifyPassword } from './password-hashing';

describe('staff password hashing (HUB_PASSWORD_HASH)', () => {
  it('hashes with argon2id at the standard cost by default, and at OWASP’s minimum when asked', async () => {
    const standard = loadHubConfig({}).auth.passwordHash;
    const minimum = loadHubConfig({ HUB_PASSWORD_HASH: 'Minimum' }).auth.passwordHash;
    expect([standard, minimum]).toEqual(['standard', 'minimum']);

    const strong = await hashPassword('Correct-horse-1', standard);
    const light = await hashPassword('Correct-horse-1', minimum);
    expect(strong).toMatch(/^\$argon2id\$v=19\$m=65536,p=4,t=3\$/);
    expect(light).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    // A hash carries its own cost: either verifies whatever the setting is now.
    expect(await verifyPassword(strong, 'Correct-horse-1')).toBe(true);
    expect(await verifyPassword(light, 'Correct-horse-1')).toBe(true);
    expect(await verifyPassword(light, 'Correct-horse-2')).toBe(false);
  });

  it('answers false, not an error, for a stored hash that is not an argon2 hash', async () => {
    expect(await verifyPassword('not a hash', 'Correct-horse-1')).toBe(false);
  });
});
