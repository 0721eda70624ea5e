// A button that goes away with the state it changes ("Mark lost" on an asset now lost, "Check
// out" on a kit now out, "Close trip" on a trip now closed, or the question's own button when the
// question goes with its row) takes the keyboard's focus with it: the focus falls to the page's
// body, and the next Tab starts again at "Skip to content" and the navigation. The line that says
// what was done takes it instead, so the next Tab goes on from where the person was.
import { useEffect, useRef, type RefObject } from 'react';

/**
 * A ref for the element that says what was just done (a status line, given `tabIndex={-1}`):
 * each new `said` moves the focus to it one frame after it is drawn, if the focus is then
 * nowhere (on the body). Focus still somewhere on the page is left where it is.
 *
 * @param said what the line says now; null or undefined for nothing (no move)
 * @returns the ref to put on the line
 */
export function useFocusWhenDropped<T extends HTMLElement = HTMLParagraphElement>(
  said: unknown,
): RefObject<T | null> {
  const line = useRef<T | null>(null);
  useEffect(() => {
    if (said === null || said === undefined) {
      return;
    }
    // A frame later: a dialog that closed with the action has tried to give the focus back.
    const frame = requestAnimationFrame(() => {
      const active = document.activeElement;
      if (!active || active === document.body) {
        line.current?.focus();
      }
    });
    return () => cancelAnimationFrame(frame);
  }, [said]);
  return line;
}
