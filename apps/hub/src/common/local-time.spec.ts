import {
  formatLocalTime,
  localClockText,
  localDateText,
  localTime,
  spokenDate,
  spokenTime,
  spokenTimeFrom,
} from './local-time';

describe('localTime', () => {
  it('reads an instant on the wall clock of a zone in summer time', () => {
    // 2026-06-12 is a Friday; London is on BST (+01:00).
    expect(localTime(new Date('2026-06-12T13:22:33.250Z'), 'Europe/London')).toEqual({
      year: 2026,
      month: 6,
      day: 12,
      hour: 14,
      minute: 22,
      second: 33,
      weekday: 5,
      offset: '+01:00',
    });
  });

  it('gives midnight as hour 0, the local date and weekday, and a negative offset', () => {
    // 05:00 UTC on Monday 7 December 2026 is 00:00 on Monday in New York (EST, -05:00), and
    // 04:59 UTC is still Sunday there.
    expect(localTime(new Date('2026-12-07T05:00:00Z'), 'America/New_York')).toMatchObject({
      day: 7,
      hour: 0,
      minute: 0,
      weekday: 1,
      offset: '-05:00',
    });
    expect(localTime(new Date('2026-12-07T04:59:00Z'), 'America/New_York')).toMatchObject({
      day: 6,
      hour: 23,
      weekday: 7,
    });
  });

  it('says +00:00 for UTC and keeps half-hour offsets', () => {
    expect(localTime(new Date('2026-01-01T00:00:00Z'), 'UTC').offset).toBe('+00:00');
    expect(localTime(new Date('2026-01-01T00:00:00Z'), 'Asia/Kolkata')).toMatchObject({
      hour: 5,
      minute: 30,
      offset: '+05:30',
    });
  });

  it('throws RangeError for a zone Intl does not know', () => {
    expect(() => localTime(new Date(), 'Mars/Olympus_Mons')).toThrow(RangeError);
  });
});

describe('formatLocalTime', () => {
  it('writes RFC 3339 with the offset, across the change to winter time', () => {
    // London leaves BST at 01:00 UTC on 25 October 2026.
    expect(formatLocalTime(new Date('2026-10-25T00:59:59Z'), 'Europe/London')).toBe(
      '2026-10-25T01:59:59+01:00',
    );
    expect(formatLocalTime(new Date('2026-10-25T01:00:00Z'), 'Europe/London')).toBe(
      '2026-10-25T01:00:00+00:00',
    );
  });

  it('pads the date and the clock', () => {
    const local = localTime(new Date('2026-03-04T05:06:07Z'), 'UTC');
    expect([localDateText(local), localClockText(local)]).toEqual(['2026-03-04', '05:06:07']);
  });
});

describe('spoken times (messages a person reads)', () => {
  // 23:30 UTC on Tuesday 15 June 2027 is 00:30 on Wednesday in London (BST).
  const lateEvening = new Date('2027-06-15T23:30:00Z');

  it('say the time and the day on the school clock, without a comma', () => {
    expect(spokenTime(lateEvening, 'Europe/London')).toBe('00:30 on Wednesday 16 June 2027');
    expect(spokenDate(lateEvening, 'Europe/London')).toBe('Wednesday 16 June 2027');
    expect(spokenDate(lateEvening, 'UTC')).toBe('Tuesday 15 June 2027');
  });

  it('leave out the day when it is the same day on the school clock', () => {
    const now = new Date('2027-06-15T22:10:00Z'); // 23:10 in London, the same day as 23:50
    expect(spokenTimeFrom(new Date('2027-06-15T22:50:00Z'), now, 'Europe/London')).toBe('23:50');
    expect(spokenTimeFrom(lateEvening, now, 'Europe/London')).toBe(
      '00:30 on Wednesday 16 June 2027',
    );
  });
});
