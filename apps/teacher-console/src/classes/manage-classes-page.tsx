// ICT: every class (issue 12), with its teachers, where its tablets come from and its lessons;
// "New class" and each class's name open the form (class-edit-page.tsx).
import type { ClassDto, DeviceGroup, Page as ApiPage, StaffAccount } from '@app/hub-api';
import { useQuery } from '@tanstack/react-query';
import { apiQuery } from '../api/client';
import { DataTable, ErrorMessage, Link, Page, StatusMessage } from '../ui';
import { CLASSES_PATH } from './class-live';
import { timetableWords } from './class-words';
import { STAFF_LIST_QUERY, staffName } from './class-form';

export default function ManageClassesPage() {
  const classes = useQuery(apiQuery<ClassDto[]>(CLASSES_PATH));
  const staff = useQuery(apiQuery<ApiPage<StaffAccount>>('/api/staff', STAFF_LIST_QUERY));
  const groups = useQuery(apiQuery<DeviceGroup[]>('/api/groups'));
  const people = new Map((staff.data?.items ?? []).map((person) => [person.id, person]));
  const groupNames = new Map((groups.data ?? []).map((group) => [group.id, group.name]));

  const tabletsWords = (item: ClassDto): string => {
    const parts: string[] = [];
    if (item.groupId) {
      parts.push(`Group ${groupNames.get(item.groupId) ?? '(removed)'}`);
    }
    if (item.deviceIds.length) {
      parts.push(`${item.deviceIds.length} ${item.deviceIds.length === 1 ? 'device' : 'devices'}`);
    }
    return parts.length ? parts.join(' and ') : 'None yet';
  };

  return (
    <Page
      title="Manage classes"
      actions={
        <Link className="button button-primary" href="/manage-classes/new">
          New class
        </Link>
      }
    >
      <ErrorMessage error={classes.error} title="Could not read the classes." />
      <ErrorMessage error={staff.error} title="Could not read the staff list." />
      {classes.data ? (
        <DataTable
          label="Classes"
          rows={[...classes.data].sort((a, b) => a.name.localeCompare(b.name))}
          rowKey={(item) => item.id}
          emptyText="There are no classes yet."
          columns={[
            {
              id: 'name',
              name: 'Class',
              isRowHeader: true,
              cell: (item) => <Link href={`/manage-classes/${item.id}`}>{item.name}</Link>,
            },
            {
              id: 'teachers',
              name: 'Teachers',
              cell: (item) =>
                item.teacherIds.length
                  ? item.teacherIds.map((id) => staffName(people.get(id), id)).join(', ')
                  : 'None',
            },
            { id: 'tablets', name: 'Tablets', cell: tabletsWords },
            { id: 'timetable', name: 'Lessons', cell: (item) => timetableWords(item.timetable) },
          ]}
        />
      ) : classes.isPending ? (
        <StatusMessage>Loading the classes…</StatusMessage>
      ) : null}
    </Page>
  );
}
