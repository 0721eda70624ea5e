// Where a policy applies (the whole school, groups, devices) and with what priority, and
// assigning it to a group. Priority settles two policies in the same scope that set the same
// setting differently: the higher wins (apps/hub/src/policies, libs/policy resolve.ts).
import type { Device, DeviceGroup, Policy, PolicyAssignment } from '@app/hub-api';
import { useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { oneFieldErrorsOf, type OneFieldErrors } from '../api/bad-request-fields';
import { api, apiQuery } from '../api/client';
import {
  Button,
  ConfirmDialog,
  DataTable,
  Dialog,
  ErrorMessage,
  Link,
  Select,
  TextField,
} from '../ui';

export interface PolicyAssignmentsProps {
  policy: Policy;
}

/** Names for assignment targets: groups from GET /api/groups, devices one by one. */
function useTargetNames(assignments: PolicyAssignment[]) {
  const groups = useQuery(apiQuery<DeviceGroup[]>('/api/groups'));
  const deviceIds = assignments.filter((a) => a.scope === 'device').map((a) => a.targetId ?? '');
  const devices = useQueries({
    queries: deviceIds.map((id) => apiQuery<Device>(`/api/devices/${id}`)),
  });
  const names = new Map<string, string>();
  for (const group of groups.data ?? []) {
    names.set(group.id, group.name);
  }
  for (const device of devices) {
    if (device.data) {
      names.set(device.data.id, device.data.name ?? device.data.serialNumber);
    }
  }
  return { names, groups };
}

/** "Year 4 Oak (group)", "The whole school". */
export function assignmentTarget(assignment: PolicyAssignment, names: Map<string, string>) {
  if (assignment.scope === 'baseline') {
    return 'The whole school';
  }
  const name = names.get(assignment.targetId ?? '') ?? 'an unknown ' + assignment.scope;
  return `${name} (${assignment.scope})`;
}

export function PolicyAssignments({ policy }: PolicyAssignmentsProps) {
  const queryClient = useQueryClient();
  const { names, groups } = useTargetNames(policy.assignments);
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ['/api/policies'] }),
      queryClient.invalidateQueries({ queryKey: [`/api/policies/${policy.id}`] }),
      queryClient.invalidateQueries({ queryKey: ['/api/compliance'] }),
    ]);
  const rows = [...policy.assignments].sort((a, b) => b.priority - a.priority);
  return (
    <>
      <ErrorMessage error={groups.error} title="Could not read the groups." />
      <DataTable
        label="Where this policy applies"
        columns={[
          {
            id: 'target',
            name: 'Applies to',
            isRowHeader: true,
            cell: (a: PolicyAssignment) =>
              a.scope === 'device' && a.targetId ? (
                <Link href={`/devices/${a.targetId}`}>{assignmentTarget(a, names)}</Link>
              ) : (
                assignmentTarget(a, names)
              ),
          },
          { id: 'priority', name: 'Priority', cell: (a) => String(a.priority) },
          {
            id: 'remove',
            name: 'Remove',
            cell: (a) => (
              <ConfirmDialog
                triggerLabel={`Remove from ${assignmentTarget(a, names)}`}
                title="Remove this assignment?"
                confirmLabel="Remove"
                onConfirm={async () => {
                  await api(`/api/policies/${policy.id}/assignments/${a.id}`, {
                    method: 'DELETE',
                  });
                  await refresh();
                }}
              >
                <p>
                  {policy.name} will no longer apply to {assignmentTarget(a, names)}. Its devices
                  get their new policy straight away.
                </p>
              </ConfirmDialog>
            ),
          },
        ]}
        rows={rows}
        rowKey={(a) => a.id}
        emptyText="Not assigned yet: this policy reaches no device."
      />
      <AssignToGroup
        policy={policy}
        groups={(groups.data ?? []).filter(
          (g) => !policy.assignments.some((a) => a.scope === 'group' && a.targetId === g.id),
        )}
        onAssigned={refresh}
      />
    </>
  );
}

/**
 * Where the "Assign to a group" dialog says the hub's refusal, by the console's one rule for a
 * 400 (oneFieldErrorsOf, api/bad-request-fields.ts): the parts that start with `priority`
 * ("priority must not be greater than 1000", AssignPolicyDto) beside Priority, the other parts,
 * or any other error in its own words ("No group …", a group deleted meanwhile), above the
 * buttons. Priority is the only field of the request the dialog lets a person type.
 *
 * @param error what the assignment rejected with (null: none)
 * @returns `atField` for Priority and `form` for above the buttons, each null for nothing
 */
export function assignErrorsOf(error: unknown): OneFieldErrors {
  return oneFieldErrorsOf(error, 'priority');
}

function AssignToGroup({
  policy,
  groups,
  onAssigned,
}: {
  policy: Policy;
  groups: DeviceGroup[];
  onAssigned: () => Promise<unknown>;
}) {
  const [isOpen, setOpen] = useState(false);
  const [groupId, setGroupId] = useState('');
  const [priority, setPriority] = useState('0');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const priorityProblem = /^-?\d+$/.test(priority.trim())
    ? null
    : 'Priority must be a whole number.';
  const assign = async (close: () => void) => {
    setBusy(true);
    setError(null);
    try {
      await api(`/api/policies/${policy.id}/assignments`, {
        method: 'POST',
        body: { scope: 'group', targetId: groupId, priority: Number(priority.trim()) },
      });
      await onAssigned();
      close();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const errors = assignErrorsOf(error);
  return (
    <Dialog
      title="Assign to a group"
      isOpen={isOpen}
      onOpenChange={(open) => {
        setOpen(open);
        setError(null);
        if (open) {
          setGroupId(groups[0]?.id ?? '');
          setPriority('0');
        }
      }}
      trigger={<Button isDisabled={groups.length === 0}>Assign to a group</Button>}
    >
      {(close) => (
        <form
          className="form"
          onSubmit={(event) => {
            event.preventDefault();
            if (!priorityProblem && groupId) {
              void assign(close);
            }
          }}
        >
          <Select
            label="Group"
            options={groups.map((g) => ({ value: g.id, label: g.name }))}
            value={groupId}
            onChange={setGroupId}
          />
          <TextField
            label="Priority"
            description="-1000 to 1000. Where two group policies set the same setting, the higher priority wins."
            value={priority}
            onChange={setPriority}
            inputMode="numeric"
            errorMessage={priorityProblem ?? errors.atField}
          />
          <ErrorMessage error={error} title="Could not assign." message={errors.form} />
          <div className="dialog-actions">
            <Button onPress={close} isDisabled={busy}>
              Cancel
            </Button>
            <Button type="submit" variant="primary" isPending={busy}>
              Assign
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
