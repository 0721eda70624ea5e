import { parseAnswer } from './command-delivery.service';

describe(parseAnswer.name, () => {
  it('keeps an answer whose detail carries control characters, made plain', () => {
    expect(
      parseAnswer({ status: 'error', detail: 'disk\u0000 full\u0007' }, 'device.lock'),
    ).toEqual({
      status: 'error',
      detail: expect.not.stringMatching(/[\u0000-\u0008]/) as unknown as string,
      unenforced: null,
    });
  });

  it('reads the settings a policy.apply answer could not enforce, through the protocol schema', () => {
    expect(
      parseAnswer({ status: 'acknowledged', unenforced: ['wifi.allowedSsids'] }, 'policy.apply'),
    ).toEqual({ status: 'acknowledged', detail: null, unenforced: ['wifi.allowedSsids'] });
  });

  it('refuses what the protocol does not allow', () => {
    expect(parseAnswer({ status: 'done' }, 'device.lock')).toBeNull();
    expect(parseAnswer({ status: 'acknowledged', detail: 42 }, 'device.lock')).toBeNull();
    expect(
      parseAnswer({ status: 'not_now', unenforced: ['camera.enabled'] }, 'policy.apply'),
    ).toBeNull();
    expect(
      parseAnswer({ status: 'acknowledged', unenforced: ['not a path!'] }, 'policy.apply'),
    ).toBeNull();
  });

  it('ignores a list on any other command, as protocol 1.1 section 3 reserves it', () => {
    expect(
      parseAnswer({ status: 'acknowledged', unenforced: ['camera.enabled'] }, 'device.lock'),
    ).toEqual({ status: 'acknowledged', detail: null, unenforced: null });
  });
});
