import { Alert, Button, List, Stack, Text } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import { useState } from 'react';
import { locksInWay, releaseLocks } from '../../api/files';
import { ErrorAlert } from '../../ui/ErrorAlert';

/**
 * A change refused because a WebDAV client holds a lock (40073): names what is locked and
 * offers to release the locks, the escape hatch for a client that crashed or left them behind.
 * Releasing is the user's own decision; the client that held the lock may lose unsaved work.
 */
export function LockConflictAlert({ error, onReleased }: { error: unknown; onReleased(): void }) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const locks = locksInWay(error);
  if (locks.length === 0) return <ErrorAlert error={error} />;

  const release = async () => {
    setBusy(true);
    setFailure(null);
    try {
      await releaseLocks(locks.map((lock) => lock.token));
      onReleased();
    } catch (problem) {
      setFailure(problem);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack gap="xs">
      <Alert color="orange" variant="light" icon={<IconLock size={18} />} title="Locked by a WebDAV client" role="alert">
        <Text size="sm">An app connected over WebDAV (an editor with the file open, for example) holds a lock on:</Text>
        <List size="sm" spacing={2} mt={4}>
          {locks.map((lock) => (
            <List.Item key={lock.token} className="file-name">
              {lock.path}
            </List.Item>
          ))}
        </List>
        <Text size="sm" mt={4}>
          If that app is closed or stuck, release the lock and try again. An app still editing may lose unsaved changes.
        </Text>
        <Button mt="xs" size="xs" color="orange" variant="light" loading={busy} onClick={release}>
          Release and try again
        </Button>
      </Alert>
      <ErrorAlert error={failure} />
    </Stack>
  );
}
