import { serialKeyOf } from './assets';

describe(serialKeyOf.name, () => {
  it('reads serial numbers alike but for capitals and surrounding spaces as one', () => {
    for (const serial of ['c02xk1', 'C02XK1', ' C02xK1 ', 'c02XK1\t']) {
      expect({ serial, key: serialKeyOf(serial) }).toEqual({ serial, key: 'C02XK1' });
    }
    expect(serialKeyOf('dmi-sn_01.a')).toBe('DMI-SN_01.A');
  });

  it('folds ASCII letters only: other characters are compared as typed', () => {
    expect(serialKeyOf('C02XK1')).not.toBe(serialKeyOf('C02XK 1'));
    expect(serialKeyOf('SN\u00b2')).toBe('SN\u00b2'); // "²" is not "2"
    expect(serialKeyOf('\uff43\uff10\uff12')).toBe('\uff43\uff10\uff12'); // full-width kept
    expect(serialKeyOf('\u00e9t\u00e9-1')).toBe('\u00e9T\u00e9-1');
    expect(serialKeyOf('stra\u00dfe').length).toBe('stra\u00dfe'.length);
  });
});
