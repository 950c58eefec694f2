import { Button, Group, Loader, Skeleton, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconRefresh, IconTrash, IconTrashOff } from '@tabler/icons-react';
import { useState } from 'react';
import { deleteForever, emptyTrash, restoreFromTrash, trashFactsOf, TRASH_URI } from '../api/trash';
import type { FileResponse } from '../api/types';
import { displayPath } from '../api/uri';
import { useFolder } from '../files/useFolder';
import { ErrorAlert } from '../ui/ErrorAlert';
import { useAction } from '../ui/useAction';
import { ConfirmDialog, type Confirmation } from './ConfirmDialog';
import { TrashTable } from './TrashTable';

/**
 * The Trash (issue 12): what was deleted from any surface, where it came from and when it goes
 * for good. Restore puts an entry back where it was (renamed on a conflict, parents made again);
 * deleting permanently and emptying the trash ask first.
 */
export function TrashPage() {
  const trash = useFolder(TRASH_URI, 'name', 'asc');
  const { busy, error, setError, act } = useAction(trash.reload);
  const [confirming, setConfirming] = useState<Confirmation | null>(null);

  const restore = (item: FileResponse) =>
    act(async () => {
      await restoreFromTrash([item.path]);
      const from = trashFactsOf(item).from;
      notifications.show({
        color: 'teal',
        title: 'Restored',
        message: from
          ? `${item.name} is back in ${from.length > 1 ? displayPath(from.slice(0, -1)) : 'My files'}.`
          : `${item.name} is back.`,
      });
    });
  const confirmed = () =>
    confirming &&
    act(async () => {
      await confirming.run();
      setConfirming(null);
    });
  const close = () => {
    setConfirming(null);
    setError(null);
  };

  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Title order={1} size="h2">
            Trash
          </Title>
          <Text c="dimmed" size="sm">
            What you delete waits here before it is removed for good. Restore puts it back where it was.
          </Text>
        </Stack>
        <Group gap="xs">
          <Button variant="subtle" leftSection={<IconRefresh size={16} />} onClick={trash.reload}>
            Refresh
          </Button>
          <Button
            color="red"
            leftSection={<IconTrash size={16} />}
            disabled={trash.items.length === 0 || busy}
            onClick={() =>
              setConfirming({
                title: 'Empty the trash?',
                body: 'Everything in the trash is removed for good. This cannot be undone.',
                confirmLabel: 'Empty trash',
                run: emptyTrash,
              })
            }
          >
            Empty trash
          </Button>
        </Group>
      </Group>
      {!confirming && <ErrorAlert error={error} onClose={() => setError(null)} />}
      <ErrorAlert error={trash.error} title="The trash could not be listed" />
      {trash.loading ? (
        <Stack gap={6} aria-busy aria-label="Loading">
          {[0, 1, 2].map((line) => (
            <Skeleton key={line} height={36} />
          ))}
        </Stack>
      ) : trash.items.length === 0 && !trash.error ? (
        <Stack align="center" py="xl" gap="xs">
          <IconTrashOff size={48} aria-hidden color="var(--mantine-color-dimmed)" />
          <Text fw={600}>The trash is empty</Text>
        </Stack>
      ) : (
        <TrashTable
          items={trash.items}
          busy={busy}
          restore={restore}
          deleteForever={(item) =>
            setConfirming({
              title: 'Delete permanently?',
              body: (
                <>
                  <Text span fw={600} className="file-name">
                    {item.name}
                  </Text>{' '}
                  {item.type === 1 ? 'and everything in it are' : 'is'} removed for good. This cannot be undone.
                </>
              ),
              confirmLabel: 'Delete permanently',
              run: () => deleteForever([item.path]),
            })
          }
        />
      )}
      {trash.hasMore && (
        <Group justify="center">
          <Button variant="light" onClick={trash.loadMore} loading={trash.loadingMore}>
            Show more
          </Button>
        </Group>
      )}
      {trash.loadingMore && !trash.hasMore && <Loader size="sm" />}
      <ConfirmDialog
        request={confirming}
        busy={busy}
        error={confirming ? error : null}
        onClose={close}
        onConfirm={() => void confirmed()}
      />
    </Stack>
  );
}
