import { BadRequestException } from '@nestjs/common';
import { checkTimetable } from './classes.service';

describe('checkTimetable', () => {
  it('sorts the lessons and lets one start as another ends', () => {
    expect(
      checkTimetable([
        { weekday: 3, start: '10:00', end: '11:00' },
        { weekday: 1, start: '09:00', end: '10:00' },
        { weekday: 3, start: '09:00', end: '10:00' },
      ]),
    ).toEqual([
      { weekday: 1, start: '09:00', end: '10:00' },
      { weekday: 3, start: '09:00', end: '10:00' },
      { weekday: 3, start: '10:00', end: '11:00' },
    ]);
  });

  it('refuses two lessons of one day that overlap, and the same lesson twice, naming them', () => {
    const refusal = (slots: { weekday: number; start: string; end: string }[]) => {
      try {
        checkTimetable(slots);
        return 'taken';
      } catch (error) {
        expect(error).toBeInstanceOf(BadRequestException);
        return (error as BadRequestException).message;
      }
    };
    expect(
      refusal([
        { weekday: 3, start: '17:00', end: '17:45' },
        { weekday: 3, start: '17:15', end: '19:00' },
      ]),
    ).toBe('timetable: two lessons on Wednesday overlap (17:00–17:45 and 17:15–19:00)');
    expect(
      refusal([
        { weekday: 7, start: '09:00', end: '10:00' },
        { weekday: 7, start: '09:00', end: '10:00' },
      ]),
    ).toBe('timetable: two lessons on Sunday overlap (09:00–10:00 and 09:00–10:00)');
    expect(
      refusal([
        { weekday: 2, start: '09:00', end: '12:00' },
        { weekday: 2, start: '10:00', end: '10:30' },
      ]),
    ).toBe('timetable: two lessons on Tuesday overlap (09:00–12:00 and 10:00–10:30)');
    expect(refusal([{ weekday: 1, start: '10:00', end: '09:00' }])).toBe(
      'timetable[0]: start must be before end',
    );
  });
});
