import { Anchor, Button, Group, Table, Text, VisuallyHidden } from '@mantine/core';
import { IconRestore, IconTrashX } from '@tabler/icons-react';
import { Link } from 'react-router';
import { trashFactsOf } from '../api/trash';
import type { FileResponse } from '../api/types';
import { displayPath } from '../api/uri';
import { folderHref } from '../files/PathBreadcrumbs';
import { FileIcon } from '../ui/FileIcon';
import { formatDate } from '../ui/format';

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const DAY_MS = 86_400_000;

/** "in 30 days", "today", or nothing once the time has passed (the clean-up job is due). */
function fromNow(when: Date, now: number): string {
  const days = Math.round((when.getTime() - now) / DAY_MS);
  return days >= 0 ? relative.format(days, 'day') : '';
}

/** The trashed entries: name, where each came from (a link to that folder), when it goes for good, and its actions. */
export function TrashTable(props: {
  items: FileResponse[];
  busy: boolean;
  restore(item: FileResponse): void;
  deleteForever(item: FileResponse): void;
}) {
  const now = Date.now();
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table verticalSpacing="sm" aria-label="Trash">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Original location</Table.Th>
            <Table.Th>Removed for good</Table.Th>
            <Table.Th>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {props.items.map((item) => {
            const { from, removedAt } = trashFactsOf(item);
            const folder = from?.slice(0, -1) ?? null;
            return (
              <Table.Tr key={item.id} data-name={item.name}>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    <FileIcon name={item.name} folder={item.type === 1} size={20} />
                    <Text size="sm" className="file-name">
                      {item.name}
                    </Text>
                  </Group>
                </Table.Td>
                <Table.Td>
                  {folder ? (
                    <Anchor component={Link} to={folderHref(folder)} size="sm" className="file-name">
                      {folder.length === 0 ? 'My files' : displayPath(folder)}
                    </Anchor>
                  ) : (
                    <Text size="sm">—</Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{removedAt ? formatDate(removedAt.toISOString()) : '—'}</Text>
                  {removedAt && (
                    <Text size="xs" c="dimmed">
                      {fromNow(removedAt, now)}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Group gap={4} justify="flex-end" wrap="nowrap">
                    <Button
                      size="xs"
                      variant="default"
                      leftSection={<IconRestore size={14} />}
                      disabled={props.busy}
                      onClick={() => props.restore(item)}
                      aria-label={`Restore ${item.name}`}
                    >
                      Restore
                    </Button>
                    <Button
                      size="xs"
                      variant="subtle"
                      color="red"
                      leftSection={<IconTrashX size={14} />}
                      disabled={props.busy}
                      onClick={() => props.deleteForever(item)}
                      aria-label={`Delete permanently: ${item.name}`}
                    >
                      Delete permanently
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
