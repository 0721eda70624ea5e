import { DeviceConnections, DeviceSocket } from './device-connections';

/** A stand-in for a Socket.IO server socket: its id, handshake time and whether it was dropped. */
function socketAt(id: string, issued: number): DeviceSocket & { dropped: boolean } {
  const socket = {
    id,
    handshake: { issued },
    dropped: false,
    disconnect() {
      socket.dropped = true;
      return socket;
    },
  };
  return socket as unknown as DeviceSocket & { dropped: boolean };
}

describe('DeviceConnections across the hubs of a cluster', () => {
  it('drops its older connection when another hub reports a newer one', () => {
    const connections = new DeviceConnections();
    const ours = socketAt('x', 1000);
    expect(connections.add('device-1', ours, 'hub-a')).toBe(true);

    connections.dropMoved('hub-b', ['device-1'], [1005], 'hub-a');
    expect(ours.dropped).toBe(true);
    expect(connections.isConnected('device-1')).toBe(false);
  });

  it('drops an older connection set up only after the newer one elsewhere was reported', () => {
    // The device connected here at 1000 and to hub B at 1005; B's report arrives while this hub
    // is still setting its connection up (reading the device's groups), before it is added.
    const connections = new DeviceConnections();
    connections.dropMoved('hub-b', ['device-1'], [1005], 'hub-a');
    const ours = socketAt('x', 1000);

    expect(connections.add('device-1', ours, 'hub-a')).toBe(false);
    expect(ours.dropped).toBe(true);
    expect(connections.isConnected('device-1')).toBe(false);
  });

  it('keeps a newer connection here after the device was reported on another hub', () => {
    const connections = new DeviceConnections();
    connections.dropMoved('hub-b', ['device-1'], [1005], 'hub-a');
    const ours = socketAt('x', 2000);

    expect(connections.add('device-1', ours, 'hub-a')).toBe(true);
    expect(ours.dropped).toBe(false);
    expect(connections.isConnected('device-1')).toBe(true);
  });

  it('judges a tie the same way on both hubs: the greater hub id keeps it', () => {
    const onA = new DeviceConnections();
    const onB = new DeviceConnections();
    onA.dropMoved('hub-b', ['device-1'], [1000], 'hub-a');
    onB.dropMoved('hub-a', ['device-1'], [1000], 'hub-b');

    expect(onA.add('device-1', socketAt('x', 1000), 'hub-a')).toBe(false);
    expect(onB.add('device-1', socketAt('y', 1000), 'hub-b')).toBe(true);
  });
});
