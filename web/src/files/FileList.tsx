import { ActionIcon, Anchor, Checkbox, Group, Table, Text, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconDots } from '@tabler/icons-react';
import type { MouseEvent } from 'react';
import { Link } from 'react-router';
import type { FileResponse, OrderBy } from '../api/types';
import { FileIcon } from '../ui/FileIcon';
import { formatBytes, formatDate } from '../ui/format';
import type { FileViewProps } from './FileView';

const COLUMNS: Array<{ by: OrderBy; label: string; visibleFrom?: 'sm' }> = [
  { by: 'name', label: 'Name' },
  { by: 'size', label: 'Size', visibleFrom: 'sm' },
  { by: 'updated_at', label: 'Modified', visibleFrom: 'sm' },
];

/** The list view: a table with sortable columns; rows select, open and show their menu. */
export function FileList(props: FileViewProps) {
  const { items, selection, sort, onSort, register, onKeyDown, hrefOf } = props;
  const allSelected = items.length > 0 && selection.ids.size === items.length;
  return (
    <Table highlightOnHover verticalSpacing={6} role="grid" aria-label="Files" aria-multiselectable aria-rowcount={items.length}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th w={40}>
            <Checkbox
              aria-label="Select all"
              checked={allSelected}
              indeterminate={selection.ids.size > 0 && !allSelected}
              onChange={() => (allSelected ? selection.clear() : selection.selectAll())}
            />
          </Table.Th>
          {COLUMNS.map((column) => (
            <Table.Th
              key={column.by}
              visibleFrom={column.visibleFrom}
              aria-sort={sort.by === column.by ? (sort.direction === 'asc' ? 'ascending' : 'descending') : 'none'}
              w={column.by === 'name' ? undefined : column.by === 'size' ? 110 : 190}
            >
              <UnstyledButton onClick={() => onSort(column.by)} aria-label={`Sort by ${column.label.toLowerCase()}`}>
                <Group gap={4} wrap="nowrap">
                  <Text fw={600} size="sm">
                    {column.label}
                  </Text>
                  {sort.by === column.by &&
                    (sort.direction === 'asc' ? <IconArrowUp size={14} aria-hidden /> : <IconArrowDown size={14} aria-hidden />)}
                </Group>
              </UnstyledButton>
            </Table.Th>
          ))}
          <Table.Th w={48}>
            <VisuallyHidden>Actions</VisuallyHidden>
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody onKeyDown={onKeyDown}>
        {items.map((item, index) => (
          <Row key={item.id} item={item} index={index} {...props} register={register} hrefOf={hrefOf} />
        ))}
      </Table.Tbody>
    </Table>
  );
}

function Row({ item, index, selection, onOpen, onMenu, register, hrefOf }: FileViewProps & { item: FileResponse; index: number }) {
  const selected = selection.isSelected(item.id);
  const folder = item.type === 1;
  const click = (event: MouseEvent) => {
    selection.select(index, event.shiftKey ? 'range' : event.ctrlKey || event.metaKey ? 'toggle' : 'only');
  };
  return (
    <Table.Tr
      ref={(element) => register(index, element)}
      className="file-row"
      aria-selected={selected}
      aria-rowindex={index + 1}
      tabIndex={index === selection.focus ? 0 : -1}
      onClick={click}
      onDoubleClick={() => onOpen(item)}
      onContextMenu={(event) => onMenu(event, index)}
      data-name={item.name}
    >
      <Table.Td onClick={(event) => event.stopPropagation()}>
        <Checkbox aria-label={`Select ${item.name}`} checked={selected} onChange={() => selection.select(index, 'toggle')} tabIndex={-1} />
      </Table.Td>
      <Table.Td>
        <Group gap="sm" wrap="nowrap">
          <FileIcon name={item.name} folder={folder} />
          <div style={{ minWidth: 0 }}>
            {folder ? (
              <Anchor
                component={Link}
                to={hrefOf(item)}
                c="inherit"
                size="sm"
                className="file-name"
                tabIndex={-1}
                onClick={(event) => event.stopPropagation()}
              >
                {item.name}
              </Anchor>
            ) : (
              <Anchor
                component="button"
                type="button"
                c="inherit"
                size="sm"
                className="file-name"
                ta="left"
                tabIndex={-1}
                onClick={(event) => {
                  event.stopPropagation();
                  onOpen(item);
                }}
              >
                {item.name}
              </Anchor>
            )}
            <Text size="xs" c="dimmed" hiddenFrom="sm">
              {folder ? 'Folder' : formatBytes(item.size)} · {formatDate(item.updated_at)}
            </Text>
          </div>
        </Group>
      </Table.Td>
      <Table.Td visibleFrom="sm">
        <Text size="sm" c="dimmed">
          {folder ? '—' : formatBytes(item.size)}
        </Text>
      </Table.Td>
      <Table.Td visibleFrom="sm">
        <Text size="sm" c="dimmed">
          {formatDate(item.updated_at)}
        </Text>
      </Table.Td>
      <Table.Td onClick={(event) => event.stopPropagation()}>
        <ActionIcon
          variant="subtle"
          color="gray"
          aria-label={`Actions for ${item.name}`}
          tabIndex={-1}
          onClick={(event) => onMenu(event, index)}
        >
          <IconDots size={18} />
        </ActionIcon>
      </Table.Td>
    </Table.Tr>
  );
}
