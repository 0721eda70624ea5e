import type { NetworkInterfaceInfo } from 'node:os';
import { describeAddresses, hubAddresses } from './addresses';

const iface = (address: string, family: 'IPv4' | 'IPv6', internal = false): NetworkInterfaceInfo =>
  ({
    address,
    family,
    internal,
    netmask: '',
    mac: '00:00:00:00:00:00',
    cidr: null,
    ...(family === 'IPv6' ? { scopeid: 0 } : {}),
  }) as NetworkInterfaceInfo;

const machine = {
  lo: [iface('127.0.0.1', 'IPv4', true), iface('::1', 'IPv6', true)],
  eth0: [
    iface('192.168.10.5', 'IPv4'),
    iface('fe80::1c2:3ff:fe04:506', 'IPv6'),
    iface('2001:db8::5', 'IPv6'),
  ],
  wlan0: [iface('10.0.0.7', 'IPv4')],
};

describe(hubAddresses.name, () => {
  it('lists every non-internal IPv4 address with scheme and port when bound to 0.0.0.0', () => {
    expect(hubAddresses('0.0.0.0', 8443, 'https', machine)).toEqual({
      local: 'https://localhost:8443',
      network: ['https://192.168.10.5:8443', 'https://10.0.0.7:8443'],
      loopbackOnly: false,
    });
  });

  it('adds IPv6 (bracketed, not link-local) when bound to ::', () => {
    expect(hubAddresses('::', 8080, 'http', machine).network).toEqual([
      'http://192.168.10.5:8080',
      'http://10.0.0.7:8080',
      'http://[2001:db8::5]:8080',
    ]);
  });

  it('says when the hub is kept to this machine', () => {
    const addresses = hubAddresses('127.0.0.1', 8080, 'http', machine);
    expect(addresses).toEqual({ local: 'http://localhost:8080', network: [], loopbackOnly: true });
    expect(describeAddresses(addresses, '127.0.0.1')[0]).toBe(
      'Only this computer can reach the hub: it is bound to 127.0.0.1 (HUB_HOST).',
    );
  });

  it('names the one address the hub is bound to', () => {
    expect(hubAddresses('10.0.0.7', 8080, 'http', machine)).toEqual({
      local: 'http://10.0.0.7:8080',
      network: ['http://10.0.0.7:8080'],
      loopbackOnly: false,
    });
  });

  it('says so when the machine has no network address', () => {
    const addresses = hubAddresses('0.0.0.0', 8080, 'http', { lo: machine.lo });
    expect(describeAddresses(addresses, '0.0.0.0')).toEqual([
      'No network address found: devices on the network cannot reach this computer yet.',
    ]);
  });
});
