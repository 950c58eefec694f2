import { Modal, Table, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { mediaInfo, type MediaInfo } from '../../api/files';
import type { FileResponse } from '../../api/types';
import { formatBytes } from '../../ui/format';
import { Thumbnail } from '../../ui/Thumbnail';

/** A file's details: size, times, and what the server read of a photo or a video (date taken, camera, place, size). */
export function DetailsDialog({ file, onClose }: { file: FileResponse | null; onClose(): void }) {
  const [media, setMedia] = useState<MediaInfo | null>(null);
  useEffect(() => {
    setMedia(null);
    if (!file || file.type === 1) return;
    const controller = new AbortController();
    mediaInfo(file.path, controller.signal).then(setMedia, () => undefined);
    return () => controller.abort();
  }, [file]);
  if (!file) return <Modal opened={false} onClose={onClose} />;

  const rows: Array<[string, string | null]> = [
    ['Size', file.type === 1 ? null : formatBytes(file.size)],
    ['Modified', new Date(file.updated_at).toLocaleString()],
    ['Taken', media?.taken_at ? new Date(media.taken_at).toLocaleString() : null],
    ['Camera', [media?.camera_make, media?.camera_model].filter(Boolean).join(' ') || null],
    ['Lens', media?.lens ?? null],
    ['Dimensions', media?.width && media.height ? `${media.width} × ${media.height}` : null],
    ['Duration', media?.duration_ms ? `${(media.duration_ms / 1000).toFixed(1)} s` : null],
    ['Location', media?.latitude != null && media.longitude != null ? `${media.latitude.toFixed(5)}, ${media.longitude.toFixed(5)}` : null],
  ];
  return (
    <Modal opened onClose={onClose} title={file.name} centered>
      <Thumbnail item={file} />
      <Table aria-label="Details" mt="sm">
        <Table.Tbody>
          {rows
            .filter((row): row is [string, string] => row[1] !== null)
            .map(([label, value]) => (
              <Table.Tr key={label}>
                <Table.Th>{label}</Table.Th>
                <Table.Td>
                  <Text size="sm">{value}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
        </Table.Tbody>
      </Table>
    </Modal>
  );
}
