// "Are you sure?" for what cannot be undone (revoke a device, roll a policy back): the trigger
// button, a question, and a confirming button named for the action. The dialog stays open while
// the action runs and shows the hub's error if it fails.
import { useState, type ReactNode } from 'react';
import { Button } from './button';
import { Dialog } from './dialog';
import { ErrorMessage } from './error-message';

export interface ConfirmDialogProps {
  /** The trigger button's text ("Revoke"). */
  triggerLabel: string;
  title: string;
  /** What will happen, in a sentence or two. */
  children: ReactNode;
  /** The confirming button's text ("Revoke device"). */
  confirmLabel: string;
  /** Runs on confirm; the dialog closes when it resolves, shows the error when it rejects. */
  onConfirm: () => Promise<unknown>;
  variant?: 'danger' | 'primary';
  isDisabled?: boolean;
  /**
   * Called when the dialog closes after `onConfirm` failed (the hub refused: another person or
   * tab changed it first), so the page can read again what it shows. Not called before: the
   * page stays as it is while the refusal is on screen, so the dialog and its words stay too.
   */
  onClosedAfterFailure?: () => void;
}

export function ConfirmDialog({
  triggerLabel,
  title,
  children,
  confirmLabel,
  onConfirm,
  variant = 'danger',
  isDisabled,
  onClosedAfterFailure,
}: ConfirmDialogProps) {
  const [isOpen, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      setOpen(false);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={title}
      role="alertdialog"
      isOpen={isOpen}
      onOpenChange={(open) => {
        setOpen(open);
        if (!open && error !== null) {
          onClosedAfterFailure?.();
        }
        setError(null);
      }}
      trigger={
        <Button variant={variant} isDisabled={isDisabled}>
          {triggerLabel}
        </Button>
      }
    >
      {(close) => (
        <>
          <div className="dialog-body">{children}</div>
          <ErrorMessage error={error} />
          <div className="dialog-actions">
            <Button onPress={close} isDisabled={busy}>
              Cancel
            </Button>
            <Button variant={variant} onPress={() => void confirm()} isPending={busy}>
              {confirmLabel}
            </Button>
          </div>
        </>
      )}
    </Dialog>
  );
}
