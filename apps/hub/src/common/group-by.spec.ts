import { groupBy } from './group-by';

describe(groupBy.name, () => {
  it('keeps every item, in order, under its key, with keys in first-seen order', () => {
    const answers = [
      { device: 'a', status: 'acknowledged' },
      { device: 'b', status: 'error' },
      { device: 'c', status: 'acknowledged' },
    ];
    const groups = groupBy(answers, (answer) => answer.status);
    expect([...groups.keys()]).toEqual(['acknowledged', 'error']);
    expect(groups.get('acknowledged')?.map((a) => a.device)).toEqual(['a', 'c']);
    expect(groups.get('error')?.map((a) => a.device)).toEqual(['b']);
  });

  it('groups 50,000 items in linear time', () => {
    const items = Array.from({ length: 50_000 }, (_, i) => i);
    const groups = groupBy(items, (i) => i % 2);
    expect(groups.get(0)).toHaveLength(25_000);
    expect(groups.get(1)).toHaveLength(25_000);
  });
});
