// Check-in at the desk (POST /api/loans/:id/return): the condition it came back in, any damage,
// and whether it goes to repair (the asset becomes `in_repair`) or back on the shelf
// (`available`). A loan someone else has just checked in gets the hub's 409 in words. An asset
// reported lost while on loan comes back the same way: its loan's check-in.
import type { Asset, AssetCurrentLoan, Loan, ReturnLoanRequest } from '@app/hub-api';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Form } from 'react-aria-components';
import { api, ApiError } from '../api/client';
import {
  BorrowerName,
  Button,
  daysWords,
  ErrorMessage,
  formatDay,
  Switch,
  TextArea,
  TextField,
} from '../ui';
import { ASSETS_PATH, checkInErrorsOf, LOANS_PATH } from './loan-words';

export interface CheckInPanelProps {
  asset: Asset;
  loan: AssetCurrentLoan;
  onDone: (message: string | null) => void;
  /** Called when the hub says the loan was already checked in: the desk shows the asset now. */
  onMoved: (notice: string) => void;
}

export function CheckInPanel({ asset, loan, onDone, onMoved }: CheckInPanelProps) {
  const client = useQueryClient();
  const [condition, setCondition] = useState('Good');
  const [damageNotes, setDamageNotes] = useState('');
  const [toRepair, setToRepair] = useState(false);
  const checkIn = useMutation({
    mutationFn: () => {
      const body: ReturnLoanRequest = {
        condition: condition.trim(),
        ...(damageNotes.trim() ? { damageNotes: damageNotes.trim() } : {}),
        ...(toRepair ? { toRepair: true } : {}),
      };
      return api<Loan>(`${LOANS_PATH}/${encodeURIComponent(loan.id)}/return`, {
        method: 'POST',
        body,
      });
    },
    onSuccess: async (returned) => {
      await Promise.all([
        client.invalidateQueries({ queryKey: [ASSETS_PATH] }),
        client.invalidateQueries({ queryKey: [LOANS_PATH] }),
      ]);
      onDone(
        `${returned.assetTag} checked in from ${loan.borrowerName}${
          toRepair ? ' and sent to repair' : ''
        }.`,
      );
    },
    onError: (error) => {
      if (error instanceof ApiError && error.status === 409) {
        onMoved(
          `${asset.assetTag} has already been checked in from ${loan.borrowerName}. Someone ` +
            'else has just dealt with it: here it is as it is now.',
        );
      }
    },
  });
  // A 400 says each of its parts beside its own field (checkInErrorsOf).
  const placed = checkInErrorsOf(checkIn.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (condition.trim()) {
      checkIn.mutate();
    }
  };
  return (
    <section className="desk-panel" aria-labelledby="desk-panel-title">
      <h2 id="desk-panel-title">Check in {asset.assetTag}</h2>
      <p className="desk-asset">
        On loan to{' '}
        <strong>
          <BorrowerName name={loan.borrowerName} disabled={loan.borrowerDisabled} />
        </strong>
        , due {formatDay(loan.dueAt)}
        {/* The hub's count (its clock, the school's zone), as Overdue loans shows it. */}
        {loan.daysOverdue >= 1 ? ` (${daysWords(loan.daysOverdue)} overdue)` : ''}.
      </p>
      {asset.status === 'lost' ? (
        <p className="desk-asset">
          It was reported lost while on loan. Checking it in records that it is back
          {asset.deviceId ? '; its device stays locked until ICT unlocks it' : ''}.
        </p>
      ) : null}
      <Form className="form desk-form" onSubmit={submit}>
        <TextField
          label="Condition coming back"
          value={condition}
          onChange={setCondition}
          errorMessage={
            condition.trim() ? (placed.byField.condition ?? null) : 'Say what condition it is in.'
          }
          isRequired
          autoFocus
        />
        <TextArea
          label="Damage notes (optional)"
          rows={2}
          value={damageNotes}
          onChange={setDamageNotes}
          errorMessage={placed.byField.damageNotes ?? null}
        />
        <Switch isSelected={toRepair} onChange={setToRepair} stateWords={{ on: 'Yes', off: 'No' }}>
          Send to repair
        </Switch>
        <ErrorMessage error={checkIn.error} title="Could not check it in." message={placed.form} />
        <div className="desk-buttons">
          <Button
            type="submit"
            variant="primary"
            isDisabled={!condition.trim()}
            isPending={checkIn.isPending}
          >
            Check in
          </Button>
          <Button onPress={() => onDone(null)}>Cancel</Button>
        </div>
      </Form>
    </section>
  );
}
