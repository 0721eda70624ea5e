// The words an editor shows when the hub refused its save as made from an older read (409
// `changed_meanwhile`): what was typed stays, and the person is offered the record as it is now.
import { Button } from './button';

export interface ChangedMeanwhileNoticeProps {
  /** The record as the sentence names it: "this class", "this account". */
  thing: string;
  /** The button's words: "Discard mine and show the class as it is now". */
  discardLabel: string;
  /** Fills the editor again from the record as it is now (read again by the page). */
  onDiscard: () => void;
  /** While the record is being read again. */
  isDisabled?: boolean;
}

/**
 * "Not saved. Someone else saved <thing> after you opened it. …" with the discard button, as an
 * alert beside the editor's Save (the class form, the staff Roles dialog).
 */
export function ChangedMeanwhileNotice({
  thing,
  discardLabel,
  onDiscard,
  isDisabled,
}: ChangedMeanwhileNoticeProps) {
  return (
    <div className="error-message" role="alert">
      <strong>Not saved.</strong> Someone else saved {thing} after you opened it. What you chose is
      still here, but the hub will not save it over their change, as that would undo it. Note what
      you changed, then show it as it is now and make your changes again.{' '}
      <Button onPress={onDiscard} isDisabled={isDisabled}>
        {discardLabel}
      </Button>
    </div>
  );
}
