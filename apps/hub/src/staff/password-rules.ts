// The schools' password rule: at least six characters (more if configured) with upper and
// lower case, a number and a symbol.
export function passwordProblems(password: string, minLength: number): string[] {
  const problems: string[] = [];
  if (password.length < minLength) {
    problems.push(`at least ${minLength} characters`);
  }
  if (password.length > 256) {
    problems.push('at most 256 characters');
  }
  if (!/[a-z]/.test(password) || !/[A-Z]/.test(password)) {
    problems.push('upper and lower case letters');
  }
  if (!/[0-9]/.test(password)) {
    problems.push('a number');
  }
  if (!/[^A-Za-z0-9]/.test(password)) {
    problems.push('a symbol');
  }
  return problems;
}

export function describePasswordProblems(field: string, problems: string[]): string {
  return `${field} must have ${problems.join(', ')}`;
}
