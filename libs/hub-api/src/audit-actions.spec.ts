import { AUDIT_ACTION_WORDS, auditActionWords } from './audit-actions';

describe(auditActionWords.name, () => {
  it.each([
    ['staff.disabled', 'Account disabled'],
    ['command.issued', 'Command sent'],
    ['aup.accepted', 'Acceptable use policy accepted'],
    ['enrollment_token.created', 'Enrolment token made'],
    ['class.session_started', 'Lesson started'],
  ])('names %s as "%s"', (action, words) => {
    expect(auditActionWords(action)).toBe(words);
  });

  it('reads an action the table does not know as words, never as its code', () => {
    expect(auditActionWords('photo.rotated')).toBe('Photo rotated');
    expect(auditActionWords('staff.mfa_enabled')).toBe('Account mfa enabled');
    expect(auditActionWords('enrollment_token.extended')).toBe('Enrolment token extended');
    expect(auditActionWords('')).toBe('');
  });

  it('writes every known action as a capitalised phrase without codes in it', () => {
    for (const [action, words] of Object.entries(AUDIT_ACTION_WORDS)) {
      expect({ action, words }).toEqual({ action, words: expect.stringMatching(/^[A-Z][^._]*$/) });
    }
  });
});
