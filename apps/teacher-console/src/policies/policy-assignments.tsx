// Where a policy applies (the whole school, groups, devices) and with what priority, and
// assigning it to a group. Priority settles two policies in the same scope that set the same
// setting differently: the higher wins (apps/hub/src/policies, libs/policy resolve.ts).
import {
  POLICY_PRIORITY,
  wholeNumberIn,
  wholeNumberProblem,
  type Device,
  type DeviceGroup,
  type Policy,
  type PolicyAssignment,
} from '@app/hub-api';
import { useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { oneFieldErrorsOf, type OneFieldErrors } from '../api/bad-request-fields';
import { api, apiQuery } from '../api/client';
import { goneIdsOf, goneWords } from '../api/gone-choices';
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
        onGroupGone={() => queryClient.invalidateQueries({ queryKey: ['/api/groups'] })}
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

/**
 * The dialog's own check of Priority, before anything is sent: a whole number within the hub's
 * range (POLICY_PRIORITY, AssignPolicyDto), digits only, so a number too long for JavaScript
 * (which JSON would send as null) is refused here in the hub's range rather than by the hub.
 *
 * @param typed Priority as typed
 * @returns the priority, or the words to say beside the field
 */
export function priorityOf(typed: string): { priority: number } | { problem: string } {
  const priority = wholeNumberIn(typed, POLICY_PRIORITY);
  return priority === null
    ? { problem: wholeNumberProblem('Priority', POLICY_PRIORITY) }
    : { priority };
}

function AssignToGroup({
  policy,
  groups,
  onAssigned,
  onGroupGone,
}: {
  policy: Policy;
  groups: DeviceGroup[];
  onAssigned: () => Promise<unknown>;
  /** A group was deleted meanwhile: read the groups again. */
  onGroupGone: () => Promise<unknown>;
}) {
  const [isOpen, setOpen] = useState(false);
  const [groupId, setGroupId] = useState('');
  const [priority, setPriority] = useState('0');
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  /** Groups deleted meanwhile, by id and name: no longer offered, and said. */
  const [gone, setGone] = useState<Map<string, string>>(new Map());
  const checked = priorityOf(priority);
  const priorityProblem = tried && 'problem' in checked ? checked.problem : null;
  const offered = groups.filter((group) => !gone.has(group.id));
  // The chosen group, or the first offered when it was deleted meanwhile.
  const chosen = offered.some((group) => group.id === groupId) ? groupId : (offered[0]?.id ?? '');
  const assign = async (close: () => void, value: number) => {
    setBusy(true);
    setError(null);
    try {
      await api(`/api/policies/${policy.id}/assignments`, {
        method: 'POST',
        body: { scope: 'group', targetId: chosen, priority: value },
      });
      await onAssigned();
      close();
    } catch (failure) {
      // 404 "No group <id>": the group was deleted since the list was read.
      if (goneIdsOf(failure, null).includes(chosen.toLowerCase())) {
        const name = groups.find((group) => group.id === chosen)?.name ?? 'The group';
        setGone((map) => new Map(map).set(chosen, name));
        setError(null);
        await onGroupGone();
      } else {
        setError(failure);
      }
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
        setTried(false);
        setGone(new Map());
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
            setTried(true);
            if ('priority' in checked && chosen) {
              void assign(close, checked.priority);
            }
          }}
        >
          <Select
            label="Group"
            options={offered.map((g) => ({ value: g.id, label: g.name }))}
            value={chosen}
            onChange={setGroupId}
          />
          {gone.size > 0 ? (
            <p className="status-message" role="status">
              {goneWords([...gone.values()], 'offered')}
              {offered.length > 0 ? ' Choose another group.' : ' No other group is left.'}
            </p>
          ) : null}
          <TextField
            label="Priority"
            description={`${POLICY_PRIORITY.min} to ${POLICY_PRIORITY.max}. Where two group policies set the same setting, the higher priority wins.`}
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
