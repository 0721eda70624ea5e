// ICT's form for a class (issue 12): its name, its teachers, its tablets (a group, devices, or
// both) and its timetable, one row a weekly lesson. The same form makes a class (POST
// /api/classes) and changes one (PATCH /api/classes/:id, every field sent, `groupId: null` to
// clear the group). The hub checks everything; each part of its 400 is put beside the field it
// names, the rest above Save. A group, device or teacher chosen and deleted meanwhile is taken
// out of the form and named, so the next Save goes through without a reload.
import type {
  ClassDto,
  CreateClassRequest,
  DeviceGroup,
  GroupMemberDevice,
  Page as ApiPage,
  StaffAccount,
  TimetableSlot,
} from '@app/hub-api';
import { useQueries, useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { CLASS_UPDATE_REFUSALS, plainFieldNames } from '@app/hub-api';
import { badRequestPlacesOf, type BadRequestPlaces } from '../api/bad-request-fields';
import { ApiError, apiQuery, conflictCodeOf, failureWords, sentence } from '../api/client';
import { goneIdsOf, goneWords } from '../api/gone-choices';
import {
  Button,
  CheckboxGroup,
  ErrorMessage,
  SearchPicker,
  Select,
  TextField,
  useFocusOnRefusal,
  useSettled,
} from '../ui';
import { WEEKDAYS } from './class-words';

/** Every active account, to name teachers (ICT reads /api/staff). */
export const STAFF_LIST_QUERY = { pageSize: 500 } as const;
/** The longest class name the console offers (the hub has the last word). */
const NAME_MAX = 100;
const NO_GROUP = '';

/** "Tom Reed (teacher)": a member of staff as a list of teachers names them. */
export function staffName(person: StaffAccount | undefined, id: string): string {
  return person ? `${person.displayName} (${person.username})` : `Staff id ${id.slice(0, 8)}`;
}

/** The request's fields the form shows a 400 beside (CreateClassDto, UpdateClassDto). */
const CLASS_FIELDS = ['name', 'teacherIds', 'groupId', 'deviceIds', 'timetable'] as const;
type ClassField = (typeof CLASS_FIELDS)[number];

/**
 * A part of a 400 about one lesson, in the form's words: the hub names a lesson by its place in
 * the request's `timetable`, counted from 0, as "timetable.0.end must be …" (the ValidationPipe)
 * or "timetable[0]: start must be before end" (checkTimetable), and the form numbers its rows from
 * 1 ("Lesson 1: end must be …"). A reader of the form has no "timetable.0"; any other part is
 * left as it is. Then in plain words, as a sentence.
 */
function lessonWords(part: string): string {
  const lesson = part.replace(
    /^timetable(?:\.(\d+)\.|\[(\d+)\]:\s*)/i,
    (_all, dotted: string | undefined, bracketed: string | undefined) =>
      `Lesson ${Number(dotted ?? bracketed) + 1}: `,
  );
  return plainFieldNames(sentence(lesson));
}

/**
 * Where the class form says the hub's 400, by the console's one rule (badRequestPlacesOf,
 * api/bad-request-fields.ts): each "; "-joined part beside the field it starts with, each a
 * sentence in plain words, a lesson named by its row (lessonWords), and the parts that start with
 * no field for above Save. The hub starts every part of its 400s for this form with the field
 * (the ValidationPipe writes "deviceIds must each be a UUID: "x" is not", ClassesService
 * "teacherIds: no staff account …"), so no part is placed by a name later in it.
 *
 * @param error the hub's refusal of the last save
 * @returns null for anything but a 400 (the form says a 409 at the name, the rest above Save);
 *   else each field's words (`byField`) and the form's (`form`, null: every part has its field)
 */
export function classErrorsOf(error: unknown): BadRequestPlaces<ClassField> | null {
  const placed = badRequestPlacesOf(error, CLASS_FIELDS, lessonWords);
  if (!placed) {
    return null;
  }
  // A choice deleted meanwhile ("groupId: no group …") is taken out and named by the form
  // (goneChoicesOf), not said in the hub's words.
  const byField = { ...placed.byField };
  for (const field of CHOICE_FIELDS) {
    if (goneIdsOf(error, field).length > 0) {
      delete byField[field];
    }
  }
  return { byField, form: placed.form };
}

/** The fields of the form that hold a choice of things the hub may have deleted meanwhile. */
const CHOICE_FIELDS = ['teacherIds', 'groupId', 'deviceIds'] as const;

/**
 * The chosen group, devices and teachers the hub's 400 names as deleted meanwhile
 * ("groupId: no group <id>", "deviceIds: no device <id>", "teacherIds: no staff account <id>",
 * ClassesService), each field's ids in lower case.
 */
export function goneChoicesOf(error: unknown): Record<(typeof CHOICE_FIELDS)[number], string[]> {
  return {
    teacherIds: goneIdsOf(error, 'teacherIds'),
    groupId: goneIdsOf(error, 'groupId'),
    deviceIds: goneIdsOf(error, 'deviceIds'),
  };
}

/**
 * What the form saves: a new class's fields, or all of a class's (`groupId: null` clears it) with
 * the `updatedAt` the form was filled from, so the hub refuses it (409 `changed_meanwhile`)
 * rather than put back what someone else saved since.
 */
export type ClassFormBody = Omit<CreateClassRequest, 'groupId'> & {
  groupId?: string | null;
  updatedAt?: string;
};

export interface ClassFormProps {
  /** The class as it is (editing), or null (a new class). */
  initial: ClassDto | null;
  /** Saves; rejects with the hub's ApiError. */
  onSave: (body: ClassFormBody) => void;
  isSaving: boolean;
  /** The hub's refusal of the last save, in its words. */
  error: unknown;
  saveLabel: string;
  /** Shown just above Save, beside the button the person last pressed (a notice of the page's). */
  beforeSave?: ReactNode;
}

interface LessonRow extends TimetableSlot {
  /** A key for React that survives removing a row above. */
  key: number;
}

let nextRowKey = 1;
const toRow = (slot: TimetableSlot): LessonRow => ({ ...slot, key: nextRowKey++ });

export function ClassForm({
  initial,
  onSave,
  isSaving,
  error,
  saveLabel,
  beforeSave,
}: ClassFormProps) {
  const [name, setName] = useState(initial?.name ?? '');
  const [teacherIds, setTeacherIds] = useState<string[]>(initial?.teacherIds ?? []);
  const [groupId, setGroupId] = useState(initial?.groupId ?? NO_GROUP);
  const [deviceIds, setDeviceIds] = useState<string[]>(initial?.deviceIds ?? []);
  const [lessons, setLessons] = useState<LessonRow[]>((initial?.timetable ?? []).map(toRow));
  // The class as the form was filled from it: `initial` is read again while the form is open.
  const [filledFrom] = useState(initial?.updatedAt);
  const [nameProblem, setNameProblem] = useState<string | null>(null);
  /** Names of chosen things deleted meanwhile, taken out since the last Save. */
  const [gone, setGone] = useState<string[]>([]);

  const staff = useQuery(apiQuery<ApiPage<StaffAccount>>('/api/staff', STAFF_LIST_QUERY));
  const groups = useQuery(apiQuery<DeviceGroup[]>('/api/groups'));
  // Every name the form has shown: a deleted group or teacher is named after its list lost it.
  const namesSeen = useRef(new Map<string, string>());
  for (const group of groups.data ?? []) {
    namesSeen.current.set(group.id, group.name);
  }
  for (const person of staff.data?.items ?? []) {
    namesSeen.current.set(person.id, staffName(person, person.id));
  }
  const sayGone = (ids: readonly string[], otherwise: string) =>
    setGone((names) => [
      ...new Set([...names, ...ids.map((id) => namesSeen.current.get(id) ?? otherwise)]),
    ]);

  // A save refused for a choice deleted meanwhile: take it out of the form and name it.
  useEffect(() => {
    const deleted = goneChoicesOf(error);
    const without = (ids: string[], dropped: string[]) =>
      ids.filter((id) => !dropped.includes(id.toLowerCase()));
    if (deleted.groupId.length > 0) {
      setGroupId((id) => (deleted.groupId.includes(id.toLowerCase()) ? NO_GROUP : id));
      sayGone(deleted.groupId, 'The group');
    }
    if (deleted.deviceIds.length > 0) {
      setDeviceIds((ids) => without(ids, deleted.deviceIds));
      sayGone(deleted.deviceIds, 'A device chosen one by one');
    }
    if (deleted.teacherIds.length > 0) {
      setTeacherIds((ids) => without(ids, deleted.teacherIds));
      sayGone(deleted.teacherIds, 'A teacher');
    }
  }, [error]);

  // The chosen group gone from the list read again (deleted meanwhile): no group, and said.
  useEffect(() => {
    if (groups.data && groupId !== NO_GROUP && !groups.data.some((g) => g.id === groupId)) {
      setGroupId(NO_GROUP);
      sayGone([groupId], 'The group');
    }
  }, [groups.data, groupId]);
  // Teachers are the accounts with the teacher role, and anyone the class already names.
  const teacherOptions = (staff.data?.items ?? [])
    .filter((person) => person.roles.includes('teacher') || teacherIds.includes(person.id))
    .filter((person) => !person.disabled || teacherIds.includes(person.id))
    .sort((a, b) => a.displayName.localeCompare(b.displayName))
    .map((person) => ({ value: person.id, label: staffName(person, person.id) }));

  // 400: each part beside its field, the rest above Save; 409: the name is taken; anything else
  // above Save.
  const formRef = useFocusOnRefusal(error);
  const refused = classErrorsOf(error);
  const byField = refused?.byField ?? {};
  // The name's 409 carries no code; the other 409, a class changed meanwhile, is said by the page.
  const changedMeanwhile = conflictCodeOf(error, CLASS_UPDATE_REFUSALS) !== null;
  const nameTaken =
    error instanceof ApiError && error.status === 409 && !changedMeanwhile ? error.message : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) {
      setNameProblem('A class needs a name.');
      return;
    }
    setNameProblem(null);
    setGone([]);
    onSave({
      name: name.trim(),
      teacherIds,
      ...(groupId ? { groupId } : initial ? { groupId: null } : {}),
      deviceIds,
      timetable: lessons.map(({ weekday, start, end }) => ({
        weekday,
        start: start.trim(),
        end: end.trim(),
      })),
      ...(filledFrom ? { updatedAt: filledFrom } : {}),
    });
  };

  const setLesson = (key: number, change: Partial<TimetableSlot>) =>
    setLessons((rows) => rows.map((row) => (row.key === key ? { ...row, ...change } : row)));

  return (
    <form className="form class-edit-form" onSubmit={submit} aria-label="Class" ref={formRef}>
      <TextField
        label="Name"
        value={name}
        onChange={setName}
        maxLength={NAME_MAX}
        isRequired
        errorMessage={nameProblem ?? byField.name ?? nameTaken}
      />
      {teacherOptions.length ? (
        <CheckboxGroup
          label="Teachers"
          description="They see the class under My classes and run its lessons."
          options={teacherOptions}
          value={teacherIds}
          onChange={setTeacherIds}
          errorMessage={byField.teacherIds}
        />
      ) : (
        <p className="status-message">
          {staff.isPending
            ? 'Loading the staff list…'
            : 'No account has the Teacher role yet: add one under Staff.'}
        </p>
      )}
      <ErrorMessage error={staff.error} title="Could not read the staff list." />

      <fieldset className="class-fieldset">
        <legend>Tablets</legend>
        <p className="field-description">
          A group&apos;s tablets, devices chosen one by one, or both.
        </p>
        <Select
          label="Group"
          value={groupId}
          onChange={setGroupId}
          options={[
            { value: NO_GROUP, label: 'No group' },
            ...(groups.data ?? [])
              .slice()
              .sort((a, b) => a.name.localeCompare(b.name))
              .map((group) => ({
                value: group.id,
                label: `${group.name} (${group.members} ${group.members === 1 ? 'device' : 'devices'})`,
              })),
          ]}
          errorMessage={
            byField.groupId ??
            (groups.error ? failureWords('Could not read the groups.', groups.error) : null)
          }
        />
        <ChosenDevices
          deviceIds={deviceIds}
          onChange={setDeviceIds}
          errorMessage={byField.deviceIds ?? null}
        />
      </fieldset>

      <fieldset className="class-fieldset">
        <legend>Timetable</legend>
        <p className="field-description">
          One row a weekly lesson, in the school&apos;s time (24-hour, like 09:15). A lesson started
          during one ends with it.
        </p>
        {lessons.length === 0 ? <p className="status-message">No lessons yet.</p> : null}
        <ol className="lesson-rows" aria-label="Lessons">
          {lessons.map((row, index) => (
            <li key={row.key} className="lesson-row">
              <Select
                label={`Day (lesson ${index + 1})`}
                value={String(row.weekday)}
                onChange={(value) => setLesson(row.key, { weekday: Number(value) })}
                options={WEEKDAYS.map((day) => ({ value: String(day.value), label: day.long }))}
              />
              <TextField
                label={`Starts (lesson ${index + 1})`}
                value={row.start}
                onChange={(value) => setLesson(row.key, { start: value })}
                placeholder="09:00"
                maxLength={5}
                inputMode="numeric"
              />
              <TextField
                label={`Ends (lesson ${index + 1})`}
                value={row.end}
                onChange={(value) => setLesson(row.key, { end: value })}
                placeholder="10:00"
                maxLength={5}
                inputMode="numeric"
              />
              <Button
                aria-label={`Remove lesson ${index + 1}`}
                onPress={() => setLessons((rows) => rows.filter((other) => other.key !== row.key))}
              >
                Remove
              </Button>
            </li>
          ))}
        </ol>
        {byField.timetable ? (
          <p className="field-error" role="alert">
            {byField.timetable}
          </p>
        ) : null}
        <Button
          onPress={() =>
            setLessons((rows) => [...rows, toRow({ weekday: 1, start: '09:00', end: '10:00' })])
          }
        >
          Add a lesson
        </Button>
      </fieldset>

      {gone.length > 0 ? (
        <p className="status-message" role="status">
          {goneWords(gone, 'chosen')}
          {error ? ' Save again.' : ''}
        </p>
      ) : null}
      <ErrorMessage
        error={nameTaken === null && !changedMeanwhile ? error : null}
        title="Could not save the class."
        message={refused ? refused.form : undefined}
      />
      {beforeSave}
      <Button type="submit" variant="primary" isPending={isSaving}>
        {saveLabel}
      </Button>
    </form>
  );
}

/** The devices named on the class itself: each with Remove, and a search to add one. */
function ChosenDevices({
  deviceIds,
  onChange,
  errorMessage,
}: {
  deviceIds: string[];
  onChange: (ids: string[]) => void;
  errorMessage: string | null;
}) {
  const [search, setSearch] = useState('');
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [labels, setLabels] = useState(new Map<string, string>());
  const settled = useSettled(search.trim(), 250);
  const matches = useQuery({
    ...apiQuery<ApiPage<GroupMemberDevice>>('/api/devices', {
      search: settled,
      status: 'active',
      pageSize: 20,
    }),
    enabled: settled !== '',
  });
  // Names of devices the class already had (one read each; a class names few devices).
  const known = useQueries({
    queries: deviceIds
      .filter((id) => !labels.has(id))
      .map((id) => apiQuery<GroupMemberDevice>(`/api/devices/${id}`)),
  });
  const nameOf = (id: string): string => {
    const label = labels.get(id);
    if (label) {
      return label;
    }
    const device = known.find((result) => result.data?.id === id)?.data;
    return device ? deviceWords(device) : `Device ${id.slice(0, 8)}`;
  };
  const items = (settled ? (matches.data?.items ?? []) : [])
    .filter((device) => !deviceIds.includes(device.id))
    .map((device) => ({
      id: device.id,
      label: deviceWords(device),
      detail: `serial ${device.serialNumber}${device.online ? ', online' : ', offline'}`,
    }));
  const picked = items.find((item) => item.id === selectedId) ?? null;

  return (
    <div className="class-devices">
      <h3 className="class-devices-title" id="class-devices-title">
        Devices chosen one by one
      </h3>
      {deviceIds.length ? (
        <ul className="class-device-list" aria-labelledby="class-devices-title">
          {deviceIds.map((id) => (
            <li key={id} className="class-device">
              <span>{nameOf(id)}</span>
              <Button
                aria-label={`Remove ${nameOf(id)}`}
                onPress={() => onChange(deviceIds.filter((other) => other !== id))}
              >
                Remove
              </Button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="status-message">None.</p>
      )}
      <div className="class-device-add">
        <SearchPicker
          label="Add a device"
          description="Type part of its name, serial number or asset tag, then choose it."
          search={search}
          onSearchChange={setSearch}
          items={items}
          selectedId={selectedId}
          onSelectedChange={setSelectedId}
          emptyText={
            !settled ? 'Type to search.' : matches.isFetching ? 'Searching…' : 'No device matches.'
          }
          errorMessage={errorMessage}
        />
        <Button
          isDisabled={!picked}
          onPress={() => {
            if (picked) {
              setLabels((map) => new Map(map).set(picked.id, picked.label));
              onChange([...deviceIds, picked.id]);
              setSearch('');
              setSelectedId(null);
            }
          }}
        >
          Add device
        </Button>
      </div>
      <ErrorMessage error={matches.error} title="Could not search the devices." />
    </div>
  );
}

function deviceWords(device: Pick<GroupMemberDevice, 'name' | 'serialNumber' | 'assetTag'>) {
  const name = device.name?.trim() || device.serialNumber;
  return device.assetTag ? `${name} (${device.assetTag})` : name;
}
