import { Card, Checkbox, SimpleGrid, Stack, Text } from '@mantine/core';
import { useEffect, useState, type MouseEvent } from 'react';
import { thumbnailUrl } from '../api/files';
import type { FileResponse } from '../api/types';
import { FileIcon, mayHaveThumbnail } from '../ui/FileIcon';
import { formatBytes } from '../ui/format';
import type { FileViewProps } from './FileView';

/** The grid view: cards with thumbnails where the server has them (contract 10), else an icon. */
export function FileGrid(props: FileViewProps) {
  const { items, selection, onOpen, onMenu, register, onKeyDown } = props;
  return (
    <SimpleGrid
      cols={{ base: 2, xs: 3, sm: 4, md: 5, lg: 6 }}
      spacing="sm"
      role="listbox"
      aria-label="Files"
      aria-multiselectable
      onKeyDown={onKeyDown}
    >
      {items.map((item, index) => {
        const selected = selection.isSelected(item.id);
        const click = (event: MouseEvent) =>
          selection.select(index, event.shiftKey ? 'range' : event.ctrlKey || event.metaKey ? 'toggle' : 'only');
        return (
          <Card
            key={item.id}
            ref={(element: HTMLDivElement | null) => register(index, element)}
            withBorder
            padding="xs"
            className="file-card"
            role="option"
            aria-selected={selected}
            tabIndex={index === selection.focus ? 0 : -1}
            onClick={click}
            onDoubleClick={() => onOpen(item)}
            onContextMenu={(event: MouseEvent) => onMenu(event, index)}
            data-name={item.name}
          >
            <Stack gap={6}>
              {/* A tick for the mouse, not a control: the card is the option, selected with Space by keyboard. */}
              <Checkbox.Indicator
                checked={selected}
                aria-hidden
                onClick={(event) => {
                  event.stopPropagation();
                  selection.select(index, 'toggle');
                }}
                size="xs"
                pos="absolute"
                top={8}
                left={8}
                style={{ zIndex: 1 }}
              />
              <Thumbnail item={item} />
              <Text size="sm" lineClamp={2} className="file-name" title={item.name}>
                {item.name}
              </Text>
              <Text size="xs" c="dimmed">
                {item.type === 1 ? 'Folder' : formatBytes(item.size)}
              </Text>
            </Stack>
          </Card>
        );
      })}
    </SimpleGrid>
  );
}

/** Thumbnail URLs per file path; null once the server said it has none, so it is asked once. */
const thumbnails = new Map<string, string | null>();

function Thumbnail({ item }: { item: FileResponse }) {
  const wanted = item.type === 0 && mayHaveThumbnail(item.name) && item.metadata?.['thumb:disabled'] === undefined;
  const key = `${item.path}#${item.updated_at}`;
  const [url, setUrl] = useState<string | null>(() => thumbnails.get(key) ?? null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (!wanted || thumbnails.has(key)) return;
    const controller = new AbortController();
    thumbnailUrl(item.path, controller.signal)
      .then((answer) => {
        thumbnails.set(key, answer.url);
        setUrl(answer.url);
      })
      .catch(() => {
        if (!controller.signal.aborted) thumbnails.set(key, null);
      });
    return () => controller.abort();
  }, [wanted, key, item.path]);
  if (url && !failed) return <img className="thumb" src={url} alt="" loading="lazy" onError={() => setFailed(true)} />;
  return (
    <div className="thumb-icon">
      <FileIcon name={item.name} folder={item.type === 1} size={48} />
    </div>
  );
}
