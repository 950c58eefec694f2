import { Anchor, Button, Group, Modal, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { listLibraries, markLibrary, unmarkLibrary, type PhotoLibrary } from '../api/photos';
import type { FileResponse } from '../api/types';
import { displayPath, myUri, segmentsOf } from '../api/uri';
import { ErrorAlert } from '../ui/ErrorAlert';

/**
 * A folder as a photo library (issue 12): its new and changed photos are indexed, and files put
 * in its import folder are moved into it as YYYY/MM/name, a safety delay after uploads settle.
 */
export function PhotoLibraryDialog({ folder, onClose }: { folder: FileResponse | null; onClose(): void }) {
  const [library, setLibrary] = useState<PhotoLibrary | null | undefined>(undefined);
  const [importing, setImporting] = useState(true);
  const [importName, setImportName] = useState('Import');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setLibrary(undefined);
    setError(null);
    if (!folder) return;
    listLibraries()
      .then((all) => setLibrary(all.find((candidate) => candidate.uri === folder.path) ?? null))
      .catch(setError);
  }, [folder]);
  if (!folder) return <Modal opened={false} onClose={onClose} />;

  const act = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      onClose();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const segments = segmentsOf(folder.path);
  const importUri = importing && importName.trim() !== '' ? myUri([...segments, importName.trim()]) : null;

  return (
    <Modal opened onClose={onClose} title={`Photo library “${folder.name}”`} centered>
      <Stack>
        {library && (
          <>
            <Text size="sm">
              This folder is a photo library
              {library.import_uri ? `; files put in ${displayPath(segmentsOf(library.import_uri))} are sorted into it by month` : ''}.
              {library.pending > 0 && ` ${library.pending} changed files wait for the next run.`}
            </Text>
            <Anchor component={Link} to={`/photos/${library.id}`} onClick={onClose}>
              Open its timeline
            </Anchor>
          </>
        )}
        {library === null && (
          <>
            <Text size="sm">
              Photos and videos in this folder are indexed (date taken, camera, thumbnails) a few minutes after uploads settle.
            </Text>
            <Switch
              checked={importing}
              onChange={(event) => setImporting(event.currentTarget.checked)}
              label="Sort an import folder into it"
            />
            {importing && (
              <TextInput
                label="Import folder (inside this folder)"
                description="Files put here move to YYYY/MM by the date they were taken; duplicates stay and are reported."
                value={importName}
                onChange={(event) => setImportName(event.currentTarget.value)}
              />
            )}
          </>
        )}
        <ErrorAlert error={error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          {library ? (
            <Button color="red" loading={busy} onClick={() => void act(() => unmarkLibrary(folder.path))}>
              Stop being a library
            </Button>
          ) : (
            <Button loading={busy} disabled={library === undefined} onClick={() => void act(() => markLibrary(folder.path, importUri))}>
              Make it a photo library
            </Button>
          )}
        </Group>
      </Stack>
    </Modal>
  );
}
