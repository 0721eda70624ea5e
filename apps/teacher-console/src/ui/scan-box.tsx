// The one box an asset tag is scanned into (issue 13): at the office desk and at the coach. A
// keyboard-wedge barcode scanner types the tag and presses Enter, so the box is an ordinary
// labelled text field in a form: Enter (or its button, for a tag typed by hand on an iPad) hands
// the trimmed tag to the page and empties the box for the next scan. The page puts the focus back
// here after each action (`focusRef`), so the next person in the queue can be scanned at once.
import { useState, type RefObject } from 'react';
import { Form, Input, Label, Text, TextField as AriaTextField } from 'react-aria-components';
import { Button } from './button';

/** The label the issue names; browser specs and people find the box by it. */
export const SCAN_BOX_LABEL = 'Scan or type an asset tag';

export interface ScanBoxProps {
  /** Called with the tag as scanned, spaces trimmed; never with an empty tag. */
  onScan: (assetTag: string) => void;
  /** The input, so the page can focus it again after a check-out or check-in. */
  focusRef?: RefObject<HTMLInputElement | null>;
  /** Help under the label ("An available laptop opens check-out; …"). */
  description?: string;
  /** While a scan is being looked up: the box stays usable, the button says it is busy. */
  isPending?: boolean;
  autoFocus?: boolean;
  /** The button's words: what a scan does here ("Check in" at a trip); default "Look up". */
  actionLabel?: string;
  /**
   * The box's label, for a second box on one page that does something else ("Asset tag to add
   * to the kit"); default SCAN_BOX_LABEL, the one the issue names.
   */
  label?: string;
}

/**
 * The scan box: a labelled field (`label`, SCAN_BOX_LABEL unless given) and a button named
 * `actionLabel`; Enter or the button calls `onScan` with the trimmed tag and empties the field.
 */
export function ScanBox({
  onScan,
  focusRef,
  description,
  isPending,
  autoFocus,
  actionLabel = 'Look up',
  label = SCAN_BOX_LABEL,
}: ScanBoxProps) {
  const [typed, setTyped] = useState('');
  return (
    <Form
      className="scan-box"
      role="search"
      aria-label={label === SCAN_BOX_LABEL ? 'Asset tag' : label}
      onSubmit={(event) => {
        event.preventDefault();
        const tag = typed.trim();
        if (tag !== '') {
          setTyped('');
          onScan(tag);
        }
      }}
    >
      <AriaTextField
        className="field scan-box-field"
        value={typed}
        onChange={setTyped}
        autoFocus={autoFocus}
        autoComplete="off"
        spellCheck="false"
      >
        <Label className="field-label">{label}</Label>
        {description ? (
          <Text slot="description" className="field-description">
            {description}
          </Text>
        ) : null}
        <Input ref={focusRef} className="field-input scan-box-input" autoCapitalize="characters" />
      </AriaTextField>
      <Button type="submit" isPending={isPending}>
        {actionLabel}
      </Button>
    </Form>
  );
}
