import { Button, Group, Loader, SimpleGrid, Stack, Text, Title, UnstyledButton } from '@mantine/core';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useParams } from 'react-router';
import { timelinePage, type TimelineItem } from '../api/photos';
import { ErrorAlert } from '../ui/ErrorAlert';
import { Thumbnail } from '../ui/Thumbnail';
import { Lightbox } from './Lightbox';

/** "2021-05" → "May 2021" (UTC, as the import folders are). */
const monthLabel = (month: string) =>
  new Date(`${month}-01T00:00:00Z`).toLocaleDateString(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' });

/** A library's photos and videos by month, newest first; a click (or Enter) opens the lightbox. */
export function TimelinePage() {
  const id = Number(useParams().id);
  const [items, setItems] = useState<TimelineItem[]>([]);
  const [next, setNext] = useState<string | null | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<number | null>(null);

  const load = useCallback(
    async (token?: string) => {
      setLoading(true);
      try {
        const page = await timelinePage(id, token);
        setItems((before) => (token ? [...before, ...page.items] : page.items));
        setNext(page.next_token);
      } catch (failure) {
        setError(failure);
      } finally {
        setLoading(false);
      }
    },
    [id],
  );
  useEffect(() => {
    void load();
  }, [load]);

  const months = useMemo(() => {
    const groups: Array<{ month: string; entries: Array<{ item: TimelineItem; index: number }> }> = [];
    items.forEach((item, index) => {
      const month = item.taken_at.slice(0, 7);
      if (groups[groups.length - 1]?.month !== month) groups.push({ month, entries: [] });
      groups[groups.length - 1]!.entries.push({ item, index });
    });
    return groups;
  }, [items]);

  return (
    <Stack>
      <Title order={1} size="h2">
        Timeline
      </Title>
      <ErrorAlert error={error} />
      {next === undefined && !error && <Loader size="sm" aria-label="Loading" />}
      {next !== undefined && items.length === 0 && <Text c="dimmed">No photos or videos indexed in this library yet.</Text>}
      {months.map(({ month, entries }) => (
        <section key={month} aria-label={monthLabel(month)}>
          <Title order={2} size="h4" mb="xs">
            {monthLabel(month)}
          </Title>
          <SimpleGrid cols={{ base: 3, sm: 5, lg: 8 }} spacing="xs">
            {entries.map(({ item, index }) => (
              <UnstyledButton
                key={item.file.id}
                aria-label={`${item.file.name}, ${new Date(item.taken_at).toLocaleDateString()}`}
                onClick={() => setOpen(index)}
              >
                <Thumbnail item={item.file} />
              </UnstyledButton>
            ))}
          </SimpleGrid>
        </section>
      ))}
      {next && (
        <Group justify="center">
          <Button variant="light" loading={loading} onClick={() => void load(next)}>
            Show more
          </Button>
        </Group>
      )}
      <Lightbox items={items} index={open} onMove={setOpen} onClose={() => setOpen(null)} />
    </Stack>
  );
}
