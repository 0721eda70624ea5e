// Find one item by typing and pick it (a device to add to a group), on react-aria-components'
// ComboBox. The search runs where the data is: the page passes the text typed
// (`onSearchChange`) to the hub and gives back the matching items, so a school with 10,000
// devices never sends them all to the browser.
import { plainFieldNames } from '@app/hub-api';
import {
  ComboBox,
  FieldError,
  Input,
  Label,
  ListBox,
  ListBoxItem,
  Popover,
  Text,
} from 'react-aria-components';

export interface SearchPickerItem {
  id: string;
  /** What the item is called (read out and shown first). */
  label: string;
  /** More to tell items apart (serial number, asset tag). */
  detail?: string;
}

export interface SearchPickerProps {
  label: string;
  description?: string;
  /** The text typed so far. */
  search: string;
  onSearchChange: (search: string) => void;
  /** The hub's matches for `search`. */
  items: readonly SearchPickerItem[];
  /** The picked item's id, or null. */
  selectedId: string | null;
  onSelectedChange: (id: string | null) => void;
  /** Shown in the list when nothing matches ("No devices match."). */
  emptyText: string;
  errorMessage?: string | null;
  isDisabled?: boolean;
}

export function SearchPicker({
  label,
  description,
  search,
  onSearchChange,
  items,
  selectedId,
  onSelectedChange,
  emptyText,
  errorMessage,
  isDisabled,
}: SearchPickerProps) {
  return (
    <ComboBox
      className="field search-picker"
      items={items}
      inputValue={search}
      onInputChange={onSearchChange}
      selectedKey={selectedId}
      onSelectionChange={(key) => onSelectedChange(key === null ? null : String(key))}
      allowsEmptyCollection
      menuTrigger="focus"
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
      <Input className="field-input" />
      <FieldError className="field-error">
        {errorMessage ? plainFieldNames(errorMessage) : errorMessage}
      </FieldError>
      <Popover className="search-picker-popover">
        <ListBox
          className="search-picker-list"
          renderEmptyState={() => <p className="search-picker-empty">{emptyText}</p>}
        >
          {(item: SearchPickerItem) => (
            <ListBoxItem id={item.id} textValue={item.label} className="search-picker-option">
              <span className="search-picker-label">{item.label}</span>
              {item.detail ? <span className="search-picker-detail">{item.detail}</span> : null}
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </ComboBox>
  );
}
