// The schools' password rule: at least six characters (more if the hub is configured so, see
// HUB_PASSWORD_MIN_LENGTH) with upper and lower case, a number and a symbol. One copy, used by
// the hub to refuse a password and by the console to show the rule as someone types.

/** One part of the rule and whether a password meets it. */
export interface PasswordRuleCheck {
  /** What the rule asks for, as the hub words it ("at least 8 characters"). */
  text: string;
  met: boolean;
}

/**
 * Each part of the rule, met or not, for a password being typed. The hub's longest password is
 * 256 characters; that part is listed only once it is broken.
 *
 * @param minLength the hub's minimum length (GET /api/auth/password-rule), 6 or more
 */
export function passwordRuleChecks(password: string, minLength: number): PasswordRuleCheck[] {
  const checks: PasswordRuleCheck[] = [
    { text: `at least ${minLength} characters`, met: password.length >= minLength },
    {
      text: 'upper and lower case letters',
      met: /[a-z]/.test(password) && /[A-Z]/.test(password),
    },
    { text: 'a number', met: /[0-9]/.test(password) },
    { text: 'a symbol', met: /[^A-Za-z0-9]/.test(password) },
  ];
  if (password.length > 256) {
    checks.splice(1, 0, { text: 'at most 256 characters', met: false });
  }
  return checks;
}

/** The parts of the rule a password breaks, in the hub's words; empty when it is acceptable. */
export function passwordProblems(password: string, minLength: number): string[] {
  return passwordRuleChecks(password, minLength)
    .filter((check) => !check.met)
    .map((check) => check.text);
}

/** The hub's 400 message for a password that breaks the rule. */
export function describePasswordProblems(field: string, problems: string[]): string {
  return `${field} must have ${problems.join(', ')}`;
}
