import { POLICY_PRIORITY, TOKEN_MAX_USES, wholeNumberIn, wholeNumberProblem } from './number-rules';

describe('wholeNumberIn: a typed whole number within the hub’s range, or null', () => {
  it.each([
    ['0', 0],
    [' 250 ', 250],
    ['-1000', -1000],
    ['1000', 1000],
    ['007', 7],
    ['-0', 0],
  ])('takes %j as %p', (typed, value) => {
    expect(wholeNumberIn(typed, POLICY_PRIORITY)).toBe(value);
  });

  it.each([
    ['1001'],
    ['-1001'],
    // Too long for JavaScript: Number gives 1e20, and Infinity for 400 digits (JSON: null).
    ['99999999999999999999'],
    ['9'.repeat(400)],
    ['-' + '9'.repeat(400)],
    ['00000000000000000000000001001'],
    [''],
    ['1e3'],
    ['1.0'],
    ['+5'],
    ['10 000'],
    ['five'],
  ])('refuses %j', (typed) => {
    expect(wholeNumberIn(typed, POLICY_PRIORITY)).toBeNull();
  });

  it('takes a long run of leading zeros before a number in range', () => {
    expect(wholeNumberIn('0000000000000000000000000000001', TOKEN_MAX_USES)).toBe(1);
  });

  it('says the range in plain words', () => {
    expect(wholeNumberProblem('Priority', POLICY_PRIORITY)).toBe(
      'Priority must be a whole number from -1,000 to 1,000.',
    );
  });
});
