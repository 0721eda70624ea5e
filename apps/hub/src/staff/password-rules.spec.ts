import { passwordProblems } from './password-rules';

describe('passwordProblems', () => {
  it('accepts a password that meets the AUP rule', () => {
    expect(passwordProblems('Ab1!xy', 6)).toEqual([]);
  });

  it('names every rule a weak password breaks', () => {
    expect(passwordProblems('abc', 6)).toEqual([
      'at least 6 characters',
      'upper and lower case letters',
      'a number',
      'a symbol',
    ]);
  });

  it('honours a longer configured minimum', () => {
    expect(passwordProblems('Ab1!xyzw', 10)).toEqual(['at least 10 characters']);
  });
});
