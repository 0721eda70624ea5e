// Pick one of a few (a filter, a lock's reason), on react-aria-components' Select: a visible
// label, a 44 px button showing the choice in words, a list that opens by touch, mouse or
// keyboard, and an error beside it.
import { plainFieldNames } from '@app/hub-api';
import {
  Button as AriaButton,
  FieldError,
  Label,
  ListBox,
  ListBoxItem,
  Popover,
  Select as AriaSelect,
  SelectValue,
  Text,
} from 'react-aria-components';

export interface SelectProps {
  label: string;
  /** The choices: value kept, label shown. Values must be unique. */
  options: readonly { value: string; label: string }[];
  value: string;
  onChange: (value: string) => void;
  description?: string;
  /** Shown beside the field and makes it invalid (a hub error about this field). */
  errorMessage?: string | null;
  isDisabled?: boolean;
}

/** A labelled single choice; `value` is one of `options`' values. */
export function Select({
  label,
  options,
  value,
  onChange,
  description,
  errorMessage,
  isDisabled,
}: SelectProps) {
  return (
    <AriaSelect
      className="field select"
      selectedKey={value}
      onSelectionChange={(key) => {
        if (key !== null) {
          onChange(String(key));
        }
      }}
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
      <AriaButton className="field-input select-button">
        <SelectValue className="select-value" />
        <span className="select-arrow" aria-hidden="true">
          ▾
        </span>
      </AriaButton>
      <FieldError className="field-error">
        {errorMessage ? plainFieldNames(errorMessage) : errorMessage}
      </FieldError>
      <Popover className="select-popover">
        <ListBox className="select-list">
          {options.map((option) => (
            <ListBoxItem
              key={option.value}
              id={option.value}
              textValue={option.label}
              className="select-option"
            >
              {option.label}
            </ListBoxItem>
          ))}
        </ListBox>
      </Popover>
    </AriaSelect>
  );
}
