// An on/off setting, on react-aria-components' Switch: a labelled 44 px target that toggles by
// touch, mouse, Space or Enter, with its state said in words ("On"/"Off") as well as by the
// thumb's place and colour.
import type { ReactNode } from 'react';
import { Switch as AriaSwitch, type SwitchProps as AriaSwitchProps } from 'react-aria-components';

export interface SwitchProps extends Omit<AriaSwitchProps, 'className' | 'children'> {
  /** The switch's label (its accessible name). */
  children: ReactNode;
  /** The words for each state; "On" and "Off" unless told. */
  stateWords?: { on: string; off: string };
}

export function Switch({ children, stateWords, ...props }: SwitchProps) {
  const words = stateWords ?? { on: 'On', off: 'Off' };
  return (
    <AriaSwitch {...props} className="switch">
      {({ isSelected }) => (
        <>
          <span className="switch-track" aria-hidden="true">
            <span className="switch-thumb" />
          </span>
          <span className="switch-label">{children}</span>
          {/* The switch role already says on/off to a screen reader; this is for the eye. */}
          <span className="switch-state" aria-hidden="true">
            {isSelected ? words.on : words.off}
          </span>
        </>
      )}
    </AriaSwitch>
  );
}
