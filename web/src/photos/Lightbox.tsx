import { ActionIcon, Group, Modal, Stack, Text } from '@mantine/core';
import { IconChevronLeft, IconChevronRight } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { fileUrl } from '../api/files';
import type { TimelineItem } from '../api/photos';

/** One photo or video at a time; ← and → move through the timeline, Escape closes (Mantine's Modal). */
export function Lightbox({
  items,
  index,
  onMove,
  onClose,
}: {
  items: TimelineItem[];
  index: number | null;
  onMove(index: number): void;
  onClose(): void;
}) {
  const item = index === null ? undefined : items[index];
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    setUrl(null);
    if (!item) return;
    let current = true;
    fileUrl(item.file.path, false)
      .then((answer) => current && setUrl(answer.urls[0]?.url ?? null))
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [item]);
  useEffect(() => {
    if (index === null) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'ArrowLeft' && index > 0) onMove(index - 1);
      else if (event.key === 'ArrowRight' && index < items.length - 1) onMove(index + 1);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [index, items.length, onMove]);
  if (!item || index === null) return <Modal opened={false} onClose={onClose} />;

  const camera = [item.camera_make, item.camera_model].filter(Boolean).join(' ');
  const facts = [
    new Date(item.taken_at).toLocaleString(),
    item.width && item.height ? `${item.width} × ${item.height}` : null,
    camera || null,
    item.lens,
    item.duration_ms !== null ? `${Math.round(item.duration_ms / 1000)} s` : null,
    item.latitude !== null && item.longitude !== null ? `${item.latitude.toFixed(5)}, ${item.longitude.toFixed(5)}` : null,
  ].filter((fact): fact is string => fact !== null);

  return (
    <Modal opened onClose={onClose} title={item.file.name} size="xl" centered>
      <Stack align="center">
        {url &&
          (item.kind === 'video' ? (
            <video src={url} controls style={{ maxWidth: '100%', maxHeight: '70vh' }} />
          ) : (
            <img src={url} alt={item.file.name} style={{ maxWidth: '100%', maxHeight: '70vh' }} />
          ))}
        <Group justify="space-between" w="100%">
          <ActionIcon variant="default" aria-label="Previous" disabled={index === 0} onClick={() => onMove(index - 1)}>
            <IconChevronLeft size={18} />
          </ActionIcon>
          <Text size="sm" aria-label="Metadata">
            {facts.join(' · ')}
          </Text>
          <ActionIcon variant="default" aria-label="Next" disabled={index === items.length - 1} onClick={() => onMove(index + 1)}>
            <IconChevronRight size={18} />
          </ActionIcon>
        </Group>
      </Stack>
    </Modal>
  );
}
