import { actionTargets } from './class-sessions.service';

describe('actionTargets (issue 12: which tablets a class action is for)', () => {
  const classDevices = ['t1', 't2', 't3', 't4'];

  it('takes the tablets the action names, once each, absent or not', () => {
    expect(actionTargets({ deviceIds: ['t3', 't1', 't3'] }, classDevices, new Set(['t3']))).toEqual(
      ['t3', 't1'],
    );
  });

  it("otherwise takes the class's tablets not marked absent, in the class's order", () => {
    expect(actionTargets({}, classDevices, new Set(['t2', 't4']))).toEqual(['t1', 't3']);
    expect(actionTargets({}, classDevices, new Set())).toEqual(classDevices);
  });
});
