// The simulated device: what it does with each command, and its test knobs.

import { randomUUID } from 'node:crypto';
import { SimulatedEnforcer } from './enforcer';
import type { CommandEnvelope } from './protocol';

function command(type: CommandEnvelope['type'], payload: object): CommandEnvelope {
  return { id: randomUUID(), type, payload, issuedAt: new Date().toISOString() } as CommandEnvelope;
}

describe(SimulatedEnforcer.name, () => {
  it('keeps the state each command leaves behind', async () => {
    const device = new SimulatedEnforcer({ initialState: { pendingPhotos: 4 } });
    await device.execute(command('device.lock', { reason: 'class', message: 'Eyes front' }));
    await device.execute(command('app.lock', { appId: 'com.apple.Pages' }));
    await device.execute(
      command('policy.apply', {
        policyVersion: 'c'.repeat(64),
        settings: { camera: { allowed: false } },
      }),
    );
    await device.execute(command('photos.sync', {}));

    expect(device.currentState()).toEqual({
      locked: true,
      appLock: 'com.apple.Pages',
      policyVersion: 'c'.repeat(64),
      pendingPhotos: 0,
    });
    expect(device.lockMessage).toBe('Eyes front');
    expect(device.settings).toEqual({ camera: { allowed: false } });

    await device.execute(command('device.unenroll', {}));
    expect(device.currentState()).toMatchObject({
      locked: false,
      appLock: null,
      policyVersion: null,
    });
    expect(device.unenrolled).toBe(true);
  });

  it('declines without acting, or fails after trying, as told', async () => {
    const device = new SimulatedEnforcer();
    device.notNowTypes.add('device.lock');
    device.failTypes.set('app.lock', 'Guided Access is off');

    expect(await device.execute(command('device.lock', { reason: 'class' }))).toMatchObject({
      status: 'not_now',
    });
    expect(await device.execute(command('app.lock', { appId: 'x' }))).toEqual({
      status: 'error',
      detail: 'Guided Access is off',
    });
    expect(device.currentState()).toMatchObject({ locked: false, appLock: null });
    expect(device.declined.map((c) => c.type)).toEqual(['device.lock']);
    expect(device.executed.map((c) => c.type)).toEqual(['app.lock']);
  });

  it('keeps a bounded history but counts everything', async () => {
    const device = new SimulatedEnforcer({ historyLimit: 2 });
    for (let i = 0; i < 5; i += 1) {
      await device.execute(command('message.show', { text: `m${i}`, from: 'Ms Berg' }));
    }
    expect(device.executed).toHaveLength(2);
    expect(device.executedCount).toBe(5);
    expect(device.messages.map((m) => m.text)).toEqual(['m3', 'm4']);
  });

  it('tells its listeners about a change made on the device', () => {
    const device = new SimulatedEnforcer({ initialState: { locked: true } });
    let calls = 0;
    const stop = device.onStateChange(() => (calls += 1));
    device.simulateUserUnlock();
    stop();
    device.simulateLocalChange({ battery: 12 });
    expect(calls).toBe(1);
    expect(device.currentState()).toMatchObject({ locked: false, battery: 12 });
  });
});
