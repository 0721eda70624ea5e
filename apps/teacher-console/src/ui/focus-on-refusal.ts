// Where a refusal is said beside a field, the field may be out of view when the person pressed
// the button at the bottom of a long form or a dialog that scrolls (the New account dialog and
// the class form at 1024×768): nothing seemed to happen, and a screen reader heard nothing. Once
// a refusal has been drawn, the first field marked invalid takes the focus, which scrolls it into
// view and reads out its label and its error (WCAG 3.3.1).
import { useEffect, useRef, type RefObject } from 'react';

const CONTROLS = 'input, textarea, select, button';

/**
 * A ref for a form: each new `refusal` (an error object, as a mutation's `error`) moves the focus
 * to the first control inside the form marked `aria-invalid="true"`, once drawn. Nothing moves
 * when the refusal names no field (its words are then above the button, in view).
 *
 * @param refusal the last save's error; null or undefined for none
 * @returns the ref to put on the `<form>` (or react-aria's `Form`)
 */
export function useFocusOnRefusal<T extends HTMLElement = HTMLFormElement>(
  refusal: unknown,
): RefObject<T | null> {
  const form = useRef<T | null>(null);
  useEffect(() => {
    if (refusal === null || refusal === undefined) {
      return;
    }
    // A frame later: the fields have drawn the refusal (their aria-invalid) by then.
    const frame = requestAnimationFrame(() => {
      // A group (checkboxes) is marked as a whole: its first control takes the focus.
      const marked = form.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
      const control = marked?.matches(CONTROLS)
        ? marked
        : marked?.querySelector<HTMLElement>(CONTROLS);
      control?.focus();
    });
    return () => cancelAnimationFrame(frame);
  }, [refusal]);
  return form;
}
