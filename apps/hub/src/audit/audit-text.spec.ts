import { deviceLabel, fitLabel, staffTarget } from './audit-labels';
import { describeAuditDetail, formatLocalTime } from './audit-text';

describe(formatLocalTime.name, () => {
  const winter = new Date('2026-12-01T09:15:02.345Z');
  const summer = new Date('2026-07-01T09:15:02Z');

  it('writes the wall-clock time in the zone with its offset, to the second', () => {
    expect(formatLocalTime(winter, 'UTC')).toBe('2026-12-01T09:15:02+00:00');
    expect(formatLocalTime(winter, 'Europe/London')).toBe('2026-12-01T09:15:02+00:00');
    expect(formatLocalTime(summer, 'Europe/London')).toBe('2026-07-01T10:15:02+01:00');
    expect(formatLocalTime(winter, 'America/New_York')).toBe('2026-12-01T04:15:02-05:00');
    expect(formatLocalTime(summer, 'America/New_York')).toBe('2026-07-01T05:15:02-04:00');
    expect(formatLocalTime(winter, 'Asia/Kolkata')).toBe('2026-12-01T14:45:02+05:30');
  });

  it('moves the date across midnight, and writes midnight as 00, never 24', () => {
    expect(formatLocalTime(new Date('2026-12-01T03:00:00Z'), 'America/New_York')).toBe(
      '2026-11-30T22:00:00-05:00',
    );
    expect(formatLocalTime(new Date('2026-12-01T05:00:00Z'), 'America/New_York')).toBe(
      '2026-12-01T00:00:00-05:00',
    );
  });

  it('follows the change to and from summer time (Europe/London, 2026)', () => {
    expect(formatLocalTime(new Date('2026-03-29T00:59:59Z'), 'Europe/London')).toBe(
      '2026-03-29T00:59:59+00:00',
    );
    expect(formatLocalTime(new Date('2026-03-29T01:00:00Z'), 'Europe/London')).toBe(
      '2026-03-29T02:00:00+01:00',
    );
    expect(formatLocalTime(new Date('2026-10-25T00:30:00Z'), 'Europe/London')).toBe(
      '2026-10-25T01:30:00+01:00',
    );
    expect(formatLocalTime(new Date('2026-10-25T01:30:00Z'), 'Europe/London')).toBe(
      '2026-10-25T01:30:00+00:00',
    );
  });

  it('gives a time that parses back to the same moment', () => {
    const text = formatLocalTime(winter, 'Asia/Kolkata');
    expect(new Date(text).getTime()).toBe(Math.floor(winter.getTime() / 1000) * 1000);
  });
});

describe(describeAuditDetail.name, () => {
  it('writes the AUP entries in words: the version as the log names it, never 64 hex digits or a field name', () => {
    const version = 'ab'.repeat(32);
    expect(
      describeAuditDetail(
        'aup.accepted',
        { version, acceptedAt: '2026-07-01T09:15:02.000Z' },
        'Europe/London',
      ),
    ).toBe('accepted AUP version abababababab; at 2026-07-01T10:15:02+01:00');
    expect(
      describeAuditDetail(
        'aup.accepted_at_desk',
        {
          version,
          acceptedAt: '2026-12-01T09:15:02.000Z',
          borrowerId: 'b1',
          borrower: 'Lee Morgan (lmorgan)',
          witnessedBy: 'w1',
        },
        'UTC',
      ),
    ).toBe(
      'Lee Morgan (lmorgan) accepted AUP version abababababab in person at the desk; at 2026-12-01T09:15:02+00:00',
    );
    expect(describeAuditDetail('aup.published', { version }, 'UTC')).toBe(
      'AUP version abababababab',
    );
    expect(describeAuditDetail('aup.republished', { version }, 'UTC')).toBe(
      'AUP version abababababab, published before, is current again',
    );
  });

  it('writes a lock as the school reads it, its expiry in the school’s zone', () => {
    expect(
      describeAuditDetail(
        'command.issued',
        {
          commandId: 'c1',
          type: 'device.lock',
          payload: { reason: 'class', message: 'Back to your seats' },
          groupName: 'Year 7 French',
          expiresAt: '2026-12-01T10:00:00.000Z',
        },
        'Europe/London',
      ),
    ).toBe(
      'lock; message: "Back to your seats"; to group Year 7 French; expires ' +
        '2026-12-01T10:00:00+00:00; command c1',
    );
  });

  it('says a lock’s reason when it is not a class lock, and a message’s text and sender', () => {
    expect(
      describeAuditDetail(
        'command.issued',
        { type: 'device.lock', payload: { reason: 'lost' } },
        'UTC',
      ),
    ).toBe('lock; reason: lost');
    expect(
      describeAuditDetail(
        'command.issued',
        { type: 'message.show', payload: { text: 'Tidy up', from: 'Ms Patel' } },
        'UTC',
      ),
    ).toBe('message: "Tidy up"; from: Ms Patel');
  });

  it('writes a device’s answer', () => {
    expect(
      describeAuditDetail(
        'command.error',
        { commandId: 'c2', type: 'app.lock', detail: 'no such app' },
        'UTC',
      ),
    ).toBe('single app failed: no such app; command c2');
  });

  it('names the trips of a photo not filed under the trip it named, or their ids in an older entry', () => {
    const sha256 = 'cd'.repeat(32);
    const named = 'which its device was not out with when the photo was taken';
    expect(
      describeAuditDetail(
        'photo.trip_not_taken',
        { sha256, namedTripId: 't-1', namedTrip: 'Year 5 zoo', tripId: 't-2', trip: 'Museum' },
        'UTC',
      ),
    ).toBe(`named the trip Year 5 zoo, ${named}; filed under the trip Museum; photo ${sha256}`);
    expect(
      describeAuditDetail(
        'photo.trip_not_taken',
        { sha256, namedTripId: 't-1', tripId: null },
        'UTC',
      ),
    ).toBe(`named the trip t-1, ${named}; filed under no trip; photo ${sha256}`);
  });

  it('falls back to key: value pairs for an action it has no words for', () => {
    expect(
      describeAuditDetail(
        'something.new',
        {
          count: 3,
          names: ['a', 'b'],
          ok: true,
          at: '2026-12-01T09:15:02.000Z',
          nested: { x: 1 },
          none: null,
        },
        'America/New_York',
      ),
    ).toBe('count: 3; names: a, b; ok: yes; at: 2026-12-01T04:15:02-05:00; nested: (x: 1)');
  });

  it('is empty for an entry with no detail', () => {
    expect(describeAuditDetail('staff.signed_in', null, 'UTC')).toBe('');
  });

  it('writes an export of the log: its rows, then its filters in the school’s zone', () => {
    expect(
      describeAuditDetail(
        'audit.exported',
        {
          filters: { to: '2026-07-02T00:00:00.000Z', targetType: 'device', targetId: 'd-1' },
          rows: 1,
        },
        'Europe/London',
      ),
    ).toBe(
      '1 entry in the export; filters: target type device, target id d-1, to 2026-07-02T01:00:00+01:00',
    );
    expect(describeAuditDetail('audit.exported', { filters: {}, rows: 0 }, 'UTC')).toBe(
      '0 entries in the export; filters: none, the whole log',
    );
  });

  it('says how long the hub ran before a clean stop', () => {
    expect(describeAuditDetail('hub.stopped', { signal: 'SIGTERM', upSeconds: 7500 }, 'UTC')).toBe(
      'stopped by SIGTERM after 2 h 5 min',
    );
  });
});

describe('audit labels', () => {
  it('names a device by its name and asset tag, or by its serial number', () => {
    expect(deviceLabel({ name: 'Laptop 12', assetTag: '4471', serialNumber: 'C02X' })).toBe(
      'Laptop 12 (asset tag 4471)',
    );
    expect(deviceLabel({ name: null, assetTag: null, serialNumber: 'C02X' })).toBe('serial C02X');
  });

  it('names a member of staff by display name and username', () => {
    expect(staffTarget({ id: 'i', displayName: 'Ms Patel', username: 'apatel' }).label).toBe(
      'Ms Patel (apatel)',
    );
  });

  it('cuts a long label to what the column holds, by whole characters', () => {
    const label = fitLabel('😀'.repeat(300)) as string;
    expect(Array.from(label)).toHaveLength(255);
    expect(label.endsWith('…')).toBe(true);
  });
});
