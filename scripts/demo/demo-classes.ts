// The demo school's class (issue 12): "Year 4 Oak", taught by the demo teacher, over the 30
// tablets of the "Year 4 Oak" group, with a timetable of a morning and an afternoon lesson on
// every school day. Made through the hub's API as ICT would (POST /api/classes).
import type { ClassDto, DeviceGroup, Page, StaffAccount, TimetableSlot } from '@app/hub-api';
import type { HubClient } from './hub-client';

/** The class's name: the same as its tablets' group. */
export const DEMO_CLASS = 'Year 4 Oak';

/** Monday to Friday, 09:00–10:00 and 13:30–14:30 in the school's time (HUB_TIME_ZONE). */
export const DEMO_TIMETABLE: TimetableSlot[] = [1, 2, 3, 4, 5].flatMap((weekday) => [
  { weekday, start: '09:00', end: '10:00' },
  { weekday, start: '13:30', end: '14:30' },
]);

/**
 * Makes the demo class for the account `teacherUsername` over the group's tablets.
 *
 * @throws Error when the hub has no such account
 * @throws HubRequestError when the hub refuses the class (a hub that already has it: 409)
 */
export async function addClass(
  admin: HubClient,
  tabletGroup: DeviceGroup,
  teacherUsername: string,
): Promise<ClassDto> {
  const staff = await admin.get<Page<StaffAccount>>('/api/staff?pageSize=500');
  const teacher = staff.items.find((person) => person.username === teacherUsername);
  if (!teacher) {
    throw new Error(`The demo has no account "${teacherUsername}" to teach ${DEMO_CLASS}.`);
  }
  return admin.post<ClassDto>('/api/classes', {
    name: DEMO_CLASS,
    teacherIds: [teacher.id],
    groupId: tabletGroup.id,
    timetable: DEMO_TIMETABLE,
  });
}
