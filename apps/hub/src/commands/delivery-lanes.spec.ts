import { DeliveryLanes } from './delivery-lanes';

/** Resolves after the event loop has turned once (after pending setImmediate callbacks). */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('DeliveryLanes', () => {
  it('lets a bulk fan-out through a slice per turn of the event loop, in order', async () => {
    const lanes = new DeliveryLanes(100);
    const sent: number[] = [];
    const all = Array.from({ length: 250 }, (_, i) => lanes.turn(false).then(() => sent.push(i)));
    expect(sent).toHaveLength(0);
    const seenBetweenSlices: number[] = [];
    // Callbacks queued between slices run between them: what the hub's sockets and HTTP get.
    for (let turn = 0; turn < 3; turn += 1) {
      await nextTurn();
      seenBetweenSlices.push(sent.length);
    }
    await Promise.all(all);
    expect(seenBetweenSlices).toEqual([100, 200, 250]);
    expect(sent).toEqual(Array.from({ length: 250 }, (_, i) => i));
    expect(lanes.queued).toBe(0);
  });

  it("lets an urgent send (a class's lock) go before a bulk fan-out already waiting", async () => {
    const lanes = new DeliveryLanes(100);
    const order: string[] = [];
    const bulk = Array.from({ length: 5000 }, () =>
      lanes.turn(false).then(() => order.push('bulk')),
    );
    await nextTurn();
    expect(order.filter((o) => o === 'bulk')).toHaveLength(100);
    await lanes.turn(true).then(() => order.push('class'));
    await Promise.all(bulk);
    // The class went after the first slice, not after all 5,000.
    expect(order.indexOf('class')).toBe(100);
  });
});
