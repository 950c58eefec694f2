import { Card, Checkbox, SimpleGrid, Stack, Text } from '@mantine/core';
import type { MouseEvent } from 'react';
import { formatBytes } from '../ui/format';
import { Thumbnail } from '../ui/Thumbnail';
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
