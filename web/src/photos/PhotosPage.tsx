import { Anchor, Card, Loader, Stack, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { listLibraries, type PhotoLibrary } from '../api/photos';
import { displayPath, segmentsOf } from '../api/uri';
import { ErrorAlert } from '../ui/ErrorAlert';

/** The user's photo libraries, each a link to its timeline. */
export function PhotosPage() {
  const [libraries, setLibraries] = useState<PhotoLibrary[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    listLibraries().then(setLibraries).catch(setError);
  }, []);
  return (
    <Stack>
      <Title order={1} size="h2">
        Photos
      </Title>
      <ErrorAlert error={error} />
      {libraries === null && !error && <Loader size="sm" aria-label="Loading" />}
      {libraries?.length === 0 && (
        <Text c="dimmed">No photo library yet: open a folder's menu in My files and choose “Photo library…”.</Text>
      )}
      {libraries?.map((library) => (
        <Card key={library.id} withBorder>
          <Anchor component={Link} to={`/photos/${library.id}`} fw={600}>
            {displayPath(segmentsOf(library.uri))}
          </Anchor>
          {library.import_uri && (
            <Text size="sm" c="dimmed">
              Imports from {displayPath(segmentsOf(library.import_uri))}
            </Text>
          )}
        </Card>
      ))}
    </Stack>
  );
}
