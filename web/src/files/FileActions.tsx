import { Menu } from '@mantine/core';
import {
  IconCopy,
  IconDatabase,
  IconDownload,
  IconFolderOpen,
  IconInfoCircle,
  IconFolderPlus,
  IconHistory,
  IconArrowsMove,
  IconPencil,
  IconRefresh,
  IconShare,
  IconTrash,
  IconUpload,
  IconPhoto,
} from '@tabler/icons-react';
import type { FileResponse } from '../api/types';
import { DANGER } from '../app/theme';

export interface FileActionHandlers {
  open(item: FileResponse): void;
  download(item: FileResponse): void;
  share(item: FileResponse): void;
  rename(item: FileResponse): void;
  move(items: FileResponse[]): void;
  copy(items: FileResponse[]): void;
  remove(items: FileResponse[]): void;
  /** A folder's storage policy (issue 11); absent where folders cannot be bound (shares). */
  storagePolicy?(item: FileResponse): void;
  /** Mark a folder as a photo library (issue 12); absent in shares. */
  photoLibrary?(item: FileResponse): void;
  details(item: FileResponse): void;
  /** A file's version history (issue 12); absent where there is none to show (shares). */
  versions?(item: FileResponse): void;
}

/** The menu items for what is selected: single-item actions only when one item is. */
export function SelectionMenuItems({ items, actions }: { items: FileResponse[]; actions: FileActionHandlers }) {
  const one = items.length === 1 ? items[0]! : null;
  return (
    <>
      {one && (
        <Menu.Item
          leftSection={one.type === 1 ? <IconFolderOpen size={16} /> : <IconDownload size={16} />}
          onClick={() => (one.type === 1 ? actions.open(one) : actions.download(one))}
        >
          {one.type === 1 ? 'Open' : 'Download'}
        </Menu.Item>
      )}
      {one && (
        <Menu.Item leftSection={<IconShare size={16} />} onClick={() => actions.share(one)}>
          Share link…
        </Menu.Item>
      )}
      {one && (
        <Menu.Item leftSection={<IconPencil size={16} />} onClick={() => actions.rename(one)}>
          Rename…
        </Menu.Item>
      )}
      {one && one.type === 1 && actions.storagePolicy && (
        <Menu.Item leftSection={<IconDatabase size={16} />} onClick={() => actions.storagePolicy?.(one)}>
          Storage policy…
        </Menu.Item>
      )}
      {one && one.type === 1 && actions.photoLibrary && (
        <Menu.Item leftSection={<IconPhoto size={16} />} onClick={() => actions.photoLibrary?.(one)}>
          Photo library…
        </Menu.Item>
      )}
      {one && (
        <Menu.Item leftSection={<IconInfoCircle size={16} />} onClick={() => actions.details(one)}>
          Details…
        </Menu.Item>
      )}
      {one && one.type === 0 && actions.versions && (
        <Menu.Item leftSection={<IconHistory size={16} />} onClick={() => actions.versions?.(one)}>
          Version history…
        </Menu.Item>
      )}
      <Menu.Item leftSection={<IconArrowsMove size={16} />} onClick={() => actions.move(items)}>
        Move to…
      </Menu.Item>
      <Menu.Item leftSection={<IconCopy size={16} />} onClick={() => actions.copy(items)}>
        Copy to…
      </Menu.Item>
      <Menu.Divider />
      <Menu.Item color={DANGER} leftSection={<IconTrash size={16} />} onClick={() => actions.remove(items)}>
        Move to trash…
      </Menu.Item>
    </>
  );
}

/** The menu of the folder's empty space. */
export function FolderMenuItems(props: { newFolder(): void; uploadFiles(): void; uploadFolder(): void; refresh(): void }) {
  return (
    <>
      <Menu.Item leftSection={<IconFolderPlus size={16} />} onClick={props.newFolder}>
        New folder…
      </Menu.Item>
      <Menu.Item leftSection={<IconUpload size={16} />} onClick={props.uploadFiles}>
        Upload files…
      </Menu.Item>
      <Menu.Item leftSection={<IconUpload size={16} />} onClick={props.uploadFolder}>
        Upload a folder…
      </Menu.Item>
      <Menu.Item leftSection={<IconRefresh size={16} />} onClick={props.refresh}>
        Refresh
      </Menu.Item>
    </>
  );
}
