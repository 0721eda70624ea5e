import { TickCollector } from './tick-collector';

describe('TickCollector', () => {
  it('hands over once, after the tick, every key added in it with its merged value', async () => {
    const flushed: Array<Array<[string, boolean]>> = [];
    const collector = new TickCollector<string, boolean>(
      (before, added) => before || added,
      (items) => flushed.push([...items]),
    );
    collector.add('a', false);
    collector.add('b', true);
    collector.add('a', true);
    collector.add('b', false);
    expect(flushed).toEqual([]); // nothing before the tick ends
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushed).toEqual([
      [
        ['a', true],
        ['b', true],
      ],
    ]);
    collector.add('c', false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushed[1]).toEqual([['c', false]]);
  });
});
