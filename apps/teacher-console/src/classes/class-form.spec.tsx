// Where the class form says the hub's 400 (POST /api/classes, PATCH /api/classes/:id): each
// "; "-joined part beside the field it starts with, as a sentence in plain words, a lesson named
// as the form numbers its rows, the rest above Save. The messages are the hub's own, as a real
// hub answered them (CreateClassDto and ClassesService), read through the console's own API
// client. A file .tsx so that the unit suite runs it: the console's plain .ts files are its own.
import type { Page, StaffAccount } from '@app/hub-api';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { renderToStaticMarkup } from 'react-dom/server';
import { refusalOf } from '../api/refusal-of';
import { ClassForm, classErrorsOf, goneChoicesOf, STAFF_LIST_QUERY } from './class-form';

/** What POST /api/classes rejects with when the hub answers `status` with `body`. */
const refusalFor = (status: number, body: unknown): Promise<unknown> =>
  refusalOf('/api/classes', { method: 'POST', body: {} }, status, body);

describe('a class refused at its form', () => {
  it('says each part of a 400 beside its own field, each a sentence, a lesson by its row', async () => {
    const three = await refusalFor(400, {
      statusCode: 400,
      message:
        'name must be one line, without line breaks or tabs (found U+0009); ' +
        'teacherIds must name at most 50; ' +
        'timetable.0.end must be a time HH:MM (00:00 to 23:59)',
    });
    expect(classErrorsOf(three)).toEqual({
      byField: {
        name: 'Name must be one line, without line breaks or tabs (found U+0009).',
        teacherIds: 'Teacher IDs must name at most 50.',
        timetable: 'Lesson 1: end must be a time HH:MM (00:00 to 23:59).',
      },
      form: null,
    });
  });

  it("says the hub's own timetable refusals at the timetable, a lesson by its row", async () => {
    const backwards = await refusalFor(400, {
      statusCode: 400,
      message: 'timetable[1]: start must be before end',
    });
    const overlap = await refusalFor(400, {
      statusCode: 400,
      message: 'timetable: two lessons on Monday overlap (09:00–10:00 and 09:30–10:30)',
    });
    expect([classErrorsOf(backwards), classErrorsOf(overlap)]).toEqual([
      { byField: { timetable: 'Lesson 2: start must be before end.' }, form: null },
      {
        byField: {
          timetable: 'Timetable: two lessons on Monday overlap (09:00–10:00 and 09:30–10:30).',
        },
        form: null,
      },
    ]);
  });

  it('says a malformed id beside its field, and leaves a device, teacher or group deleted meanwhile to the form', async () => {
    const messages = [
      'deviceIds: each of deviceIds must be a UUID',
      'deviceIds: no device 9e7a50f0-08ff-4bac-89f9-7cdfb6912b47',
      'teacherIds: no staff account d836f2f7-5269-4be2-8311-4a454cb3665d',
      'groupId: no group 7f2d16de-b9bd-486f-accc-a035c3cb3ddb',
    ];
    const refusals = await Promise.all(
      messages.map((message) => refusalFor(400, { statusCode: 400, message })),
    );
    expect(refusals.map(classErrorsOf)).toEqual([
      { byField: { deviceIds: 'Device IDs: each of device IDs must be a UUID.' }, form: null },
      { byField: {}, form: null },
      { byField: {}, form: null },
      { byField: {}, form: null },
    ]);
    // What the form takes out of its choices (and names) for each.
    expect(refusals.map(goneChoicesOf)).toEqual([
      { teacherIds: [], groupId: [], deviceIds: [] },
      { teacherIds: [], groupId: [], deviceIds: ['9e7a50f0-08ff-4bac-89f9-7cdfb6912b47'] },
      { teacherIds: ['d836f2f7-5269-4be2-8311-4a454cb3665d'], groupId: [], deviceIds: [] },
      { teacherIds: [], groupId: ['7f2d16de-b9bd-486f-accc-a035c3cb3ddb'], deviceIds: [] },
    ]);
  });

  it('says a 400 that starts with no field above Save, and leaves other statuses to the form', async () => {
    const badAddress = await refusalFor(400, {
      statusCode: 400,
      message: 'The id in the address is not one the hub gives out (a UUID). Check the link.',
    });
    const taken = await refusalFor(409, {
      statusCode: 409,
      message: 'A class named "7B Maths" already exists',
    });
    expect([classErrorsOf(badAddress), classErrorsOf(taken)]).toEqual([
      {
        byField: {},
        form: 'The id in the address is not one the hub gives out (a UUID). Check the link.',
      },
      null,
    ]);
  });

  it('shows each part on the form where its field is, and a part of no field above Save', async () => {
    const teacher: StaffAccount = {
      id: 'd836f2f7-5269-4be2-8311-4a454cb3665d',
      username: 'treed',
      displayName: 'Tom Reed',
      roles: ['teacher'],
      disabled: false,
      email: null,
      createdAt: '2026-09-01T08:00:00Z',
      updatedAt: '2026-09-01T08:00:00Z',
    };
    const render = (error: unknown): string => {
      const queries = new QueryClient();
      queries.setQueryData<Page<StaffAccount>>(['/api/staff', STAFF_LIST_QUERY], {
        items: [teacher],
        total: 1,
        page: 1,
        pageSize: 500,
      });
      queries.setQueryData(['/api/groups'], []);
      return renderToStaticMarkup(
        <QueryClientProvider client={queries}>
          <ClassForm
            initial={null}
            onSave={() => {}}
            isSaving={false}
            error={error}
            saveLabel="Save"
          />
        </QueryClientProvider>,
      );
    };
    const three = render(
      await refusalFor(400, {
        statusCode: 400,
        message:
          'name must be one line, without line breaks or tabs (found U+0009); ' +
          'teacherIds must name at most 50; ' +
          'timetable[0]: start must be before end',
      }),
    );
    const badAddress = render(
      await refusalFor(400, {
        statusCode: 400,
        message: 'The id in the address is not one the hub gives out (a UUID). Check the link.',
      }),
    );
    expect([
      three.includes('Name must be one line, without line breaks or tabs (found U+0009).'),
      three.includes('Teacher IDs must name at most 50.'),
      three.includes('Lesson 1: start must be before end.'),
      three.includes('Could not save the class.'),
      badAddress.includes(
        'Could not save the class. </strong>The id in the address is not one the hub gives out',
      ),
    ]).toEqual([true, true, true, false, true]);
  });
});
