import { NAME_SORT_KEY_MAX, nameKeyOf, nameSortKeyOf } from './names';

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

  it('leaves out characters that show nothing, and reads full-width and other forms as one', () => {
    const key = nameKeyOf('Year 5');
    for (const name of [
      'Year 5\u200b', // zero-width space
      '\ufeffYear 5', // byte-order mark
      'Ye\u00adar 5', // soft hyphen
      'Year\u200b 5\u2060', // zero-width space, word joiner
      'Year \u200b 5', // an invisible character between two spaces
      '\uff39\uff45\uff41\uff52 \uff15', // full-width "Ｙｅａｒ ５"
      'Year\u3000\u200d5', // ideographic space, zero-width joiner
    ]) {
      expect({ name, key: nameKeyOf(name) }).toEqual({ name, key });
    }
  });

  it('folds every form of a letter in capitals as one: ß and SS, the Turkish i', () => {
    expect(nameKeyOf('Stra\u00dfe')).toBe(nameKeyOf('STRASSE'));
    expect(nameKeyOf('S\u0131n\u0131f 5')).toBe(nameKeyOf('SINIF 5'));
    expect(nameKeyOf('\u0130zmir')).toBe(nameKeyOf('izmir'));
    expect(nameKeyOf('Izmir')).toBe(nameKeyOf('izmir'));
    expect(nameKeyOf('\u2764\ufe0f club')).toBe(nameKeyOf('\u2764 club'));
  });

  it('keeps a key within the 255 characters of its column, however a name lengthens', () => {
    expect(Array.from(nameKeyOf('\ufdfa'.repeat(128))).length).toBe(255);
    expect(Array.from(nameKeyOf('\u0130'.repeat(128))).length).toBe(128);
  });
});

describe(nameSortKeyOf.name, () => {
  /** Keys compared as the databases compare them: by code point (these names are all in the BMP). */
  const byKey = (a: string, b: string) => {
    const [x, y] = [nameSortKeyOf(a), nameSortKeyOf(b)];
    return x < y ? -1 : x > y ? 1 : 0;
  };

  it('orders names as English readers do (CLDR, numbers by value), by comparing keys by code point', () => {
    const names = [
      'Zoë',
      'zoe',
      'Zygmunt',
      'Ødegård',
      'Odegard',
      'Oakley',
      "O'Brien",
      'O\u2019Neill',
      'Ölaf',
      'Ola',
      'Ørjan',
      'Oscar',
      'Ünal',
      'Uma',
      'ULLA',
      'Łukasz',
      'Lukas',
      'Luke',
      'Émile',
      'Emile',
      'emile',
      'Emma',
      'Æsa',
      'Aesa',
      'Ægir',
      'Adam',
      'Ada',
      'Ann Lee',
      'Anna',
      'Ann-Marie',
      'Đorđe',
      'Dora',
      'Ħal',
      'Hal',
      'Straße',
      'Strasse',
      'Stras',
      'Year 10',
      'Year 9',
      'Year 5b',
      'Year 50',
      'year 5',
      'Trolley 2 - 07',
      'Trolley 2 - 10',
      'Trolley 12',
      'Ærø',
      'Ébène',
      'ebony',
      'Čapek',
      'Capek',
      'Cárdenas',
      'Þór',
      'Thor',
      'Ingrid',
      'Ines',
      'Ivan',
    ];
    const collator = new Intl.Collator('en', { numeric: true });
    expect([...names].sort(byKey)).toEqual([...names].sort(collator.compare));
  });

  it('puts Latin letters before other scripts, which keep their own letters', () => {
    expect(['Игорь', 'Zoë', 'Ярослав', 'Йосиф', 'Иван', 'Κώστας', 'Αλέξης'].sort(byKey)).toEqual([
      'Zoë',
      'Αλέξης',
      'Κώστας',
      'Иван',
      'Игорь',
      'Йосиф',
      'Ярослав',
    ]);
  });

  it('gives one key to names a reader cannot tell apart, and keeps within its column', () => {
    expect(nameSortKeyOf('Caf\u00e9 club')).toBe(nameSortKeyOf('Cafe\u0301  club '));
    expect(nameSortKeyOf('Year\u200b 5')).toBe(nameSortKeyOf('Year 5'));
    expect(nameSortKeyOf('Year 5')).not.toBe(nameSortKeyOf('year 5'));
    for (const name of ['\ufdfa'.repeat(128), '1'.repeat(128), '\u0130'.repeat(128)]) {
      expect(Array.from(nameSortKeyOf(name)).length).toBeLessThanOrEqual(NAME_SORT_KEY_MAX);
    }
  });
});
