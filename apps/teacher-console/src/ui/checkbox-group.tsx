// A labelled group of checkboxes (pick any of a few: a person's roles), on
// react-aria-components' CheckboxGroup: one group label, each box 44 px to touch, the ticked
// state shown by a tick mark as well as colour, and an error beside the group.
import { plainFieldNames } from '@app/hub-api';
import {
  Checkbox,
  CheckboxGroup as AriaCheckboxGroup,
  FieldError,
  Label,
  Text,
} from 'react-aria-components';

export interface CheckboxGroupProps {
  label: string;
  /** The boxes: value sent, label shown. */
  options: readonly { value: string; label: string }[];
  value: string[];
  onChange: (value: string[]) => void;
  description?: string;
  /** Shown beside the group and makes it invalid (a hub error about this field). */
  errorMessage?: string | null;
  isDisabled?: boolean;
}

export function CheckboxGroup({
  label,
  options,
  value,
  onChange,
  description,
  errorMessage,
  isDisabled,
}: CheckboxGroupProps) {
  return (
    <AriaCheckboxGroup
      className="field checkbox-group"
      value={value}
      onChange={onChange}
      isInvalid={Boolean(errorMessage)}
      isDisabled={isDisabled}
      validationBehavior="aria"
    >
      <Label className="field-label">{label}</Label>
      {description ? (
        <Text slot="description" className="field-description">
          {description}
        </Text>
      ) : null}
      <div className="checkbox-options">
        {options.map((option) => (
          <Checkbox key={option.value} value={option.value} className="checkbox">
            <span className="checkbox-box" aria-hidden="true" />
            {option.label}
          </Checkbox>
        ))}
      </div>
      <FieldError className="field-error">
        {errorMessage ? plainFieldNames(errorMessage) : errorMessage}
      </FieldError>
    </AriaCheckboxGroup>
  );
}
