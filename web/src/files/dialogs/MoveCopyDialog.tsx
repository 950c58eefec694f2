import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { ApiError } from '../../api/client';
import { moveFiles } from '../../api/files';
import type { FileResponse } from '../../api/types';
import { myUri, segmentsOf, type Segments } from '../../api/uri';
import { plural } from '../../ui/format';
import { FolderPicker } from '../FolderPicker';
import { LockConflictAlert } from './LockConflictAlert';

export interface MoveCopyRequest {
  readonly mode: 'move' | 'copy';
  readonly files: FileResponse[];
  /** The folder they are in, where the picker starts. */
  readonly from: Segments;
}

const within = (path: Segments, folder: Segments) => folder.length <= path.length && folder.every((name, index) => path[index] === name);

/** Move or copy into a folder picked from the tree (contract 13). */
export function MoveCopyDialog({ request, onClose, onDone }: { request: MoveCopyRequest | null; onClose(): void; onDone(): void }) {
  const [target, setTarget] = useState<Segments>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    setTarget(request?.from ?? []);
    setError(null);
    setBusy(false);
  }, [request]);
  if (!request) return <Modal opened={false} onClose={onClose} />;

  const { mode, files, from } = request;
  const sources = files.filter((file) => file.type === 1).map((file) => segmentsOf(file.path));
  const blocked = (path: Segments) => sources.some((source) => within(path, source));
  const same = mode === 'move' && target.join('/') === from.join('/');
  const verb = mode === 'move' ? 'Move' : 'Copy';

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await moveFiles(
        files.map((file) => file.path),
        myUri(target),
        mode === 'copy',
      );
      onDone();
      onClose();
    } catch (failure) {
      if (failure instanceof ApiError && failure.details) onDone();
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      opened
      onClose={onClose}
      title={`${verb} ${files.length === 1 ? files[0]!.name : plural(files.length, 'item')}`}
      centered
      size="lg"
    >
      <Stack>
        <Text size="sm" c="dimmed">
          Choose the folder to {mode} into.
        </Text>
        <FolderPicker value={target} onChange={setTarget} blocked={blocked} />
        <LockConflictAlert error={error} onReleased={confirm} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button loading={busy} disabled={same || blocked(target)} onClick={confirm}>
            {verb} here
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
