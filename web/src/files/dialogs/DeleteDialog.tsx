import { Button, Group, List, Modal, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiError } from '../../api/client';
import { deleteFiles } from '../../api/files';
import type { FileResponse } from '../../api/types';
import { plural } from '../../ui/format';
import { announceTrashed } from '../../trash/announceTrashed';
import { LockConflictAlert } from './LockConflictAlert';

const SHOWN = 5;

/** Moves to the trash, with confirmation (contract 14.1), then says where they went (a notice with a link to the Trash). */
export function DeleteDialog({ files, onClose, onDone }: { files: FileResponse[] | null; onClose(): void; onDone(): void }) {
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    setError(null);
    setBusy(false);
  }, [files]);
  if (!files) return <Modal opened={false} onClose={onClose} />;

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await deleteFiles(files.map((file) => file.path));
      announceTrashed(files, navigate);
      onDone();
      onClose();
    } catch (failure) {
      // Some may have gone (40081 reports each failure): show what is left, keep the message.
      if (failure instanceof ApiError && failure.details) onDone();
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const folders = files.filter((file) => file.type === 1).length;

  return (
    <Modal
      opened
      onClose={onClose}
      title={files.length === 1 ? 'Move this item to the trash?' : `Move ${plural(files.length, 'item')} to the trash?`}
      centered
    >
      <Stack>
        <List size="sm" spacing={2}>
          {files.slice(0, SHOWN).map((file) => (
            <List.Item key={file.id} className="file-name">
              {file.name}
            </List.Item>
          ))}
          {files.length > SHOWN && <List.Item>and {files.length - SHOWN} more</List.Item>}
        </List>
        <Text size="sm" c="dimmed">
          {folders > 0 ? 'Folders go with everything in them. ' : ''}You can restore {files.length === 1 ? 'it' : 'them'} from the Trash
          until {files.length === 1 ? 'it is' : 'they are'} removed for good.
        </Text>
        <LockConflictAlert error={error} onReleased={confirm} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button color="red" loading={busy} onClick={confirm} data-autofocus>
            Move to trash
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
