import { MAX_INPUT_DEPTH, unsafeInputProblem } from './unsafe-input.middleware';

/** A value nested `depth` levels deep, built without recursion. */
function nestedValue(depth: number): unknown {
  let value: unknown = {};
  for (let level = 1; level < depth; level++) {
    value = level % 2 === 0 ? [value] : { a: value };
  }
  return value;
}

describe(unsafeInputProblem.name, () => {
  it('passes ordinary bodies, primitives and empty input', () => {
    expect(
      unsafeInputProblem({ name: 'Year 7', settings: { wifi: { networks: [{}] } } }, 'body'),
    ).toBeNull();
    expect(unsafeInputProblem(undefined, 'body')).toBeNull();
    expect(unsafeInputProblem('text', 'body')).toBeNull();
    expect(unsafeInputProblem({ proto: 1, constructors: [1] }, 'body')).toBeNull();
  });

  it('takes the deepest allowed nesting and refuses one level more', () => {
    expect(unsafeInputProblem(nestedValue(MAX_INPUT_DEPTH), 'body')).toBeNull();
    expect(unsafeInputProblem(nestedValue(MAX_INPUT_DEPTH + 1), 'body')).toBe(
      `The request body nests deeper than ${MAX_INPUT_DEPTH} levels`,
    );
  });

  it('checks a million levels without overflowing the stack', () => {
    expect(unsafeInputProblem(nestedValue(1_000_000), 'body')).toMatch(/nests deeper/);
  });

  it('refuses prototype keys at any depth, naming where', () => {
    expect(unsafeInputProblem(JSON.parse('{"__proto__": {"x": 1}}'), 'body')).toBe(
      'body.__proto__: the key __proto__ is not allowed',
    );
    expect(unsafeInputProblem(JSON.parse('{"a": [{"constructor": {}}]}'), 'body')).toBe(
      'body.a[0].constructor: the key constructor is not allowed',
    );
    expect(unsafeInputProblem({ a: { prototype: 1 } }, 'query')).toBe(
      'query.a.prototype: the key prototype is not allowed',
    );
  });
});
