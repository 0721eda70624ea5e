// The policy editor's own check of its whole-number settings: the range the hub's check takes
// (libs/policy LIMITS), said before anything is sent, also for a number too long for JavaScript.
// A file .tsx so that the unit suite runs it: the console's plain .ts files are its own.
import { numberProblemsOf, type PolicyDraft } from './policy-form';

const draft = (values: PolicyDraft['values']): PolicyDraft => ({
  name: 'Year 4 tablets',
  description: '',
  values,
  enforced: [],
});

describe("the policy editor's own check of whole numbers", () => {
  it('takes numbers within the range, and settings not set here', () => {
    expect(
      numberProblemsOf(draft({ 'screen.autoLockMinutes': '60', 'passcode.minLength': ' 4 ' })),
    ).toEqual({});
    expect(numberProblemsOf(draft({ 'camera.allowed': true }))).toEqual({});
  });

  it('says the range beside each setting the hub would refuse or could not read', () => {
    expect(
      numberProblemsOf(
        draft({ 'screen.autoLockMinutes': '9'.repeat(400), 'passcode.minLength': '65' }),
      ),
    ).toEqual({
      'screen.autoLockMinutes':
        'Lock the screen after (minutes) must be a whole number from 1 to 60.',
      'passcode.minLength': 'Shortest passcode (characters) must be a whole number from 4 to 64.',
    });
  });
});
