import { Badge, Button, Group, Loader, Modal, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { IconDownload, IconRestore, IconTrash } from '@tabler/icons-react';
import { useCallback, useEffect, useState } from 'react';
import type { FileResponse } from '../api/types';
import { useSession } from '../auth/useSession';
import { authorOf, deleteVersion, listVersions, restoreVersion, type Version } from '../api/versions';
import { ErrorAlert } from '../ui/ErrorAlert';
import { formatBytes } from '../ui/format';
import { useAction } from '../ui/useAction';
import { downloadFile } from './download';

/** "7 Dec 2026, 23:04:05": versions can be seconds apart, so the seconds show. */
const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const timeOf = (version: Version) => timeFormat.format(Date.parse(version.created_at));

/**
 * A file's history (issue 12): every stored version with its size, time and author; any of
 * them downloaded, an older one made current again (the current one stays as a version) or
 * deleted for good, after a confirmation. `onChanged` runs when the file's content changed.
 */
export function VersionsDialog({ file, onClose, onChanged }: { file: FileResponse | null; onClose(): void; onChanged(): void }) {
  const [versions, setVersions] = useState<Version[] | null>(null);
  const [deleting, setDeleting] = useState<Version | null>(null);
  const me = useSession()?.user.id;
  const uri = file?.path;

  const load = useCallback(async () => {
    if (uri) setVersions(await listVersions(uri));
  }, [uri]);
  const { busy, error, setError, act } = useAction(load);
  useEffect(() => {
    setVersions(null);
    setDeleting(null);
    setError(null);
    load().catch(setError);
  }, [load, setError]);
  if (!file) return <Modal opened={false} onClose={onClose} />;

  const restore = (version: Version) =>
    act(async () => {
      await restoreVersion(file.path, version.id);
      onChanged();
    });
  const remove = (version: Version) =>
    act(async () => {
      await deleteVersion(file.path, version.id);
      setDeleting(null);
    });

  return (
    <Modal opened onClose={onClose} title={`Versions of ${file.name}`} size="xl" centered>
      <Stack>
        <ErrorAlert error={error} onClose={() => setError(null)} />
        {versions === null ? (
          !error && <Loader size="sm" aria-label="Loading versions" />
        ) : versions.length === 0 ? (
          <Text c="dimmed">This file has no stored versions.</Text>
        ) : (
          <Table.ScrollContainer minWidth={560}>
            <Table verticalSpacing="xs" aria-label="Versions">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Time</Table.Th>
                  <Table.Th>Size</Table.Th>
                  <Table.Th>By</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {versions.map((version, index) => (
                  // Two versions may hold the same bytes (and so the same entity id).
                  <Table.Tr key={`${index}:${version.id}`} data-version={version.id}>
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        <Text size="sm">{timeOf(version)}</Text>
                        {version.current && <Badge size="sm">Current</Badge>}
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{formatBytes(version.size)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" className="file-name">
                        {authorOf(version, me) ?? '—'}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <VersionActions
                        version={version}
                        busy={busy}
                        download={() => act(() => downloadFile(file.path, version.id))}
                        restore={() => restore(version)}
                        remove={() => setDeleting(version)}
                      />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {deleting && (
          <Stack gap="xs" role="group" aria-label="Delete this version?">
            <Text size="sm">
              Delete the version of {timeOf(deleting)} ({formatBytes(deleting.size)}) for good? This cannot be undone.
            </Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setDeleting(null)}>
                Cancel
              </Button>
              <Button color="red" loading={busy} onClick={() => remove(deleting)} data-autofocus>
                Delete version
              </Button>
            </Group>
          </Stack>
        )}
      </Stack>
    </Modal>
  );
}

/** Download any version; restore or delete one that is not the current content. */
function VersionActions(props: { version: Version; busy: boolean; download(): void; restore(): void; remove(): void }) {
  const { version, busy } = props;
  const when = timeOf(version);
  return (
    <Group gap={4} justify="flex-end" wrap="nowrap">
      <Button
        size="xs"
        variant="default"
        leftSection={<IconDownload size={14} />}
        onClick={props.download}
        aria-label={`Download the version of ${when}`}
      >
        Download
      </Button>
      {!version.current && (
        <Button
          size="xs"
          variant="default"
          leftSection={<IconRestore size={14} />}
          disabled={busy}
          onClick={props.restore}
          aria-label={`Restore the version of ${when}`}
        >
          Restore
        </Button>
      )}
      {!version.current && (
        <Button
          size="xs"
          variant="subtle"
          color="red"
          leftSection={<IconTrash size={14} />}
          disabled={busy}
          onClick={props.remove}
          aria-label={`Delete the version of ${when}`}
        >
          Delete
        </Button>
      )}
    </Group>
  );
}
