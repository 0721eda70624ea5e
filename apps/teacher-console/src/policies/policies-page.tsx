// ICT: the policies, where each applies, and making a new one (then edited on its own page).
import type { DeviceGroup, Policy } from '@app/hub-api';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api, apiQuery } from '../api/client';
import {
  Button,
  DataTable,
  Dialog,
  ErrorMessage,
  Link,
  Page,
  StatusMessage,
  TextArea,
  TextField,
} from '../ui';
import { fieldErrorsOf, policyNameErrorOf } from './hub-errors';

const WHEN = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

export default function PoliciesPage() {
  const policies = useQuery(apiQuery<Policy[]>('/api/policies'));
  const groups = useQuery(apiQuery<DeviceGroup[]>('/api/groups'));
  const groupName = new Map((groups.data ?? []).map((g) => [g.id, g.name]));
  const appliesTo = (policy: Policy) =>
    policy.assignments.length === 0
      ? 'Not assigned'
      : [...policy.assignments]
          .sort((a, b) => b.priority - a.priority)
          .map((a) => {
            const target =
              a.scope === 'baseline'
                ? 'the whole school'
                : a.scope === 'group'
                  ? (groupName.get(a.targetId ?? '') ?? 'a group')
                  : 'a device';
            return `${target} (priority ${a.priority})`;
          })
          .join('; ');
  return (
    <Page title="Policies" actions={<NewPolicy />}>
      <ErrorMessage error={policies.error} title="Could not read the policies." />
      {policies.isPending ? <StatusMessage>Loading…</StatusMessage> : null}
      {policies.data ? (
        <DataTable
          label="Policies"
          columns={[
            {
              id: 'name',
              name: 'Policy',
              isRowHeader: true,
              cell: (p: Policy) => <Link href={`/policies/${p.id}`}>{p.name}</Link>,
            },
            { id: 'applies', name: 'Applies to', cell: appliesTo },
            {
              id: 'settings',
              name: 'Settings set',
              cell: (p) =>
                String(Object.values(p.settings).reduce((n, g) => n + Object.keys(g).length, 0)),
            },
            {
              id: 'revision',
              name: 'Last changed',
              cell: (p) => `Revision ${p.revision}, ${WHEN.format(new Date(p.updatedAt))}`,
            },
          ]}
          rows={policies.data}
          rowKey={(p) => p.id}
          emptyText="No policies yet."
        />
      ) : null}
    </Page>
  );
}

function NewPolicy() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const create = async () => {
    setBusy(true);
    setError(null);
    try {
      const policy = await api<Policy>('/api/policies', {
        method: 'POST',
        body: { name: name.trim(), description: description.trim(), settings: {} },
      });
      await queryClient.invalidateQueries({ queryKey: ['/api/policies'] });
      void navigate(`/policies/${policy.id}`);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const nameError = policyNameErrorOf(error);
  // Each part of a 400 beside its own field (name, description), the rest above the buttons.
  const placed = fieldErrorsOf(error, []);
  const descriptionError = placed.byField.description ?? null;
  const atField = Boolean(nameError ?? descriptionError);
  return (
    <Dialog
      title="New policy"
      trigger={<Button variant="primary">New policy</Button>}
      onOpenChange={(open) => {
        if (open) {
          setName('');
          setDescription('');
          setError(null);
        }
      }}
    >
      {(close) => (
        <form
          className="form"
          onSubmit={(event) => {
            event.preventDefault();
            void create();
          }}
        >
          <p>It starts setting nothing; choose its settings and where it applies next.</p>
          <TextField
            label="Name"
            value={name}
            onChange={setName}
            errorMessage={nameError}
            isRequired
          />
          <TextArea
            label="Description"
            value={description}
            onChange={setDescription}
            errorMessage={descriptionError}
            rows={2}
          />
          <ErrorMessage
            error={error}
            message={atField ? placed.form : undefined}
            title="Could not make the policy."
          />
          <div className="dialog-actions">
            <Button onPress={close} isDisabled={busy}>
              Cancel
            </Button>
            <Button type="submit" variant="primary" isPending={busy}>
              Make policy
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
