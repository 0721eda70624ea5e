// ICT: the device groups (GET /api/groups) with how many devices each holds, and a form to make
// a new one (POST /api/groups; a taken name is said beside the name). A group opens onto its
// page, where it is renamed and its members are added and removed.
import type { DeviceGroup } from '@app/hub-api';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router-dom';
import { api, ApiError, apiQuery } from '../api/client';
import { Button, DataTable, ErrorMessage, Link, Page, StatusMessage, TextField } from '../ui';
import { groupFieldOf } from './group-errors';

export default function GroupsPage() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const groups = useQuery(apiQuery<DeviceGroup[]>('/api/groups'));
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [nameProblem, setNameProblem] = useState<string | null>(null);

  const create = useMutation({
    mutationFn: (body: { name: string; description?: string }) =>
      api<DeviceGroup>('/api/groups', { method: 'POST', body }),
    onSuccess: async (group) => {
      await queryClient.invalidateQueries({ queryKey: ['/api/groups'] });
      void navigate(`/groups/${group.id}`);
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) {
      setNameProblem('Give the group a name.');
      return;
    }
    setNameProblem(null);
    create.mutate({
      name: name.trim(),
      ...(description.trim() ? { description: description.trim() } : {}),
    });
  };
  const field = groupFieldOf(create.error);
  const message = (create.error as ApiError | null)?.message ?? null;

  return (
    <Page title="Device groups">
      <p className="page-intro">
        A group is a set of devices that are managed together: a class set of iPads, the loan
        laptops. Policies and commands can go to a whole group.
      </p>
      <ErrorMessage error={groups.error} title="Could not read the groups." />
      {groups.data ? (
        <DataTable
          label="Device groups"
          rows={groups.data}
          rowKey={(group) => group.id}
          emptyText="No groups yet. Make the first one below."
          columns={[
            {
              id: 'name',
              name: 'Group',
              isRowHeader: true,
              cell: (group) => <Link href={`/groups/${group.id}`}>{group.name}</Link>,
            },
            { id: 'description', name: 'Description', cell: (group) => group.description ?? '' },
            {
              id: 'members',
              name: 'Devices',
              cell: (group) => group.members.toLocaleString('en-GB'),
            },
          ]}
        />
      ) : groups.isPending ? (
        <StatusMessage>Loading the groups…</StatusMessage>
      ) : null}

      <form className="form" onSubmit={submit} aria-labelledby="new-group-heading">
        <h2 id="new-group-heading">Make a group</h2>
        <TextField
          label="Name"
          value={name}
          onChange={setName}
          maxLength={128}
          isRequired
          errorMessage={nameProblem ?? (field === 'name' ? message : null)}
        />
        <TextField
          label="Description (optional)"
          value={description}
          onChange={setDescription}
          maxLength={500}
          errorMessage={field === 'description' ? message : null}
        />
        {field ? null : <ErrorMessage error={create.error} title="Could not make the group." />}
        <Button type="submit" variant="primary" isPending={create.isPending}>
          Make group
        </Button>
      </form>
    </Page>
  );
}
