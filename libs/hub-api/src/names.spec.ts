import { nameKeyOf } from './names';

describe(nameKeyOf.name, () => {
  it('reads names alike but for capitals and spaces as one', () => {
    const key = nameKeyOf('Year 5');
    for (const name of ['year 5', ' YEAR 5 ', 'Year  5', 'year\t5', 'Year\u00a05', 'Year \n 5']) {
      expect({ name, key: nameKeyOf(name) }).toEqual({ name, key });
    }
    expect(key).toBe('year 5');
  });

  it('reads a composed and a decomposed accent as one, and other names as other', () => {
    expect(nameKeyOf('Caf\u00e9 club')).toBe(nameKeyOf('Cafe\u0301 Club'));
    expect(nameKeyOf('Year 5')).not.toBe(nameKeyOf('Year 50'));
    expect(nameKeyOf('Year 5')).not.toBe(nameKeyOf('Year5'));
  });
});
