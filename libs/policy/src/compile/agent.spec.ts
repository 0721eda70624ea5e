// Specs for the policy.apply payload that the hub sends to agents.

import { resolvePolicy } from '../resolve';
import { policyVersion } from '../version';
import { PolicyVersionMismatchError, compileAgentPayload } from './agent';

describe(compileAgentPayload.name, () => {
  const resolved = resolvePolicy([
    {
      id: 'year5',
      name: 'Year 5',
      scope: 'group',
      priority: 0,
      settings: { camera: { allowed: true }, screen: { autoLockMinutes: 3 } },
      enforced: [],
    },
  ]);

  it('carries the resolved settings and their version', () => {
    const payload = compileAgentPayload(resolved);
    expect(payload).toEqual({ policyVersion: resolved.version, settings: resolved.settings });
    expect(payload.policyVersion).toBe(policyVersion(payload.settings));
    expect(Object.keys(payload).sort()).toEqual(['policyVersion', 'settings']);
  });

  it('survives a JSON round trip unchanged, as it will over Socket.IO', () => {
    const payload = compileAgentPayload(resolved);
    const received = JSON.parse(JSON.stringify(payload)) as typeof payload;
    expect(policyVersion(received.settings)).toBe(payload.policyVersion);
  });

  it('refuses a resolved policy whose settings were changed after resolving', () => {
    const edited = structuredClone(resolved);
    edited.settings.camera.allowed = false;
    expect(() => compileAgentPayload(edited)).toThrow(PolicyVersionMismatchError);
  });
});
