import { ActionIcon, Button, Center, Group, Loader, Menu, Skeleton, Stack, Text, VisuallyHidden } from '@mantine/core';
import { Dropzone } from '@mantine/dropzone';
import { useLocalStorage } from '@mantine/hooks';
import {
  IconArrowsSort,
  IconCopy,
  IconDownload,
  IconFolderOff,
  IconFolderPlus,
  IconArrowsMove,
  IconLayoutGrid,
  IconList,
  IconPencil,
  IconRefresh,
  IconShare,
  IconTrash,
  IconUpload,
  IconX,
} from '@tabler/icons-react';
import { useCallback, useEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { CODES, ApiError } from '../api/client';
import { createFolder, renameFile } from '../api/files';
import type { FileResponse, OrderBy, OrderDirection } from '../api/types';
import { fileSystemOf, fromPathParam, myUri, segmentsOf } from '../api/uri';
import { CreateShareDialog } from '../shares/CreateShareDialog';
import { ErrorAlert } from '../ui/ErrorAlert';
import { plural } from '../ui/format';
import { ToolbarButton } from '../ui/ToolbarButton';
import { withRelativePath, useUploads } from '../uploads/UploadProvider';
import { ContextMenu, type MenuPosition } from './ContextMenu';
import { DeleteDialog } from './dialogs/DeleteDialog';
import { DetailsDialog } from './dialogs/DetailsDialog';
import { MoveCopyDialog, type MoveCopyRequest } from './dialogs/MoveCopyDialog';
import { NameDialog } from './dialogs/NameDialog';
import { StoragePolicyDialog } from './dialogs/StoragePolicyDialog';
import { PhotoLibraryDialog } from '../photos/PhotoLibraryDialog';
import { FolderMenuItems, SelectionMenuItems, type FileActionHandlers } from './FileActions';
import { FileGrid } from './FileGrid';
import { FileList } from './FileList';
import type { FileViewProps } from './FileView';
import { downloadFile } from './download';
import { PathBreadcrumbs, folderHref } from './PathBreadcrumbs';
import { useFolder } from './useFolder';
import { useFileKeyboard } from './useFileKeyboard';
import { useSelection } from './useSelection';
import { VersionsDialog } from './VersionsDialog';

const ORDERS: Record<OrderBy, string> = { name: 'Name', size: 'Size', updated_at: 'Modified', created_at: 'Created' };

/**
 * My files: the folder named by the URL (/home?path=/a/b&sort=size&order=desc), so a reload
 * or a shared address opens the same place. Selection, keyboard, context menu and dialogs.
 */
export function FileBrowserPage() {
  const [params] = useSearchParams();
  const raw = params.get('path');
  // Cloudreve's share links land on /home?path=cloudreve://{id}@share: open them as shares.
  if (raw?.startsWith('cloudreve://')) {
    const fs = fileSystemOf(raw);
    if (fs?.fs === 'share' && fs.user)
      return <Navigate to={`/s/${encodeURIComponent(fs.user)}${fs.password ? `/${encodeURIComponent(fs.password)}` : ''}`} replace />;
    return <Navigate to={folderHref(segmentsOf(raw))} replace />;
  }
  return <Browser key={raw ?? ''} />;
}

function Browser() {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const raw = params.get('path');
  const segments = useMemo(() => fromPathParam(raw), [raw]);
  const uri = myUri(segments);
  const by: OrderBy = (Object.keys(ORDERS) as OrderBy[]).find((key) => key === params.get('sort')) ?? 'name';
  const direction: OrderDirection = params.get('order') === 'desc' ? 'desc' : 'asc';
  const [view, setView] = useLocalStorage<'list' | 'grid'>({ key: 'cumulus.view', defaultValue: 'list' });

  const folder = useFolder(uri, by, direction);
  const { items } = folder;
  const selection = useSelection(items);
  const { uploader, snapshot } = useUploads();
  const elements = useRef(new Map<number, HTMLElement>());
  const filesInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);

  const [menu, setMenu] = useState<(MenuPosition & { empty: boolean }) | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [newFolder, setNewFolder] = useState(false);
  const [renaming, setRenaming] = useState<FileResponse | null>(null);
  const [moving, setMoving] = useState<MoveCopyRequest | null>(null);
  const [deleting, setDeleting] = useState<FileResponse[] | null>(null);
  const [sharing, setSharing] = useState<FileResponse | null>(null);
  const [binding, setBinding] = useState<FileResponse | null>(null);
  const [library, setLibrary] = useState<FileResponse | null>(null);
  const [detailed, setDetailed] = useState<FileResponse | null>(null);
  const [versioned, setVersioned] = useState<FileResponse | null>(null);

  // A finished upload into this folder (or below it) shows up without a manual refresh.
  const { reload } = folder;
  useEffect(() => {
    const where = snapshot.lastFolder;
    if (where && segments.every((name, index) => where[index] === name)) reload();
    // Only a new completion matters, not the folder the last one went to.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [snapshot.completed]);

  // The folder input picks whole folders (files keep their relative paths).
  useEffect(() => {
    folderInput.current?.setAttribute('webkitdirectory', '');
  }, []);

  const hrefOf = useCallback((item: FileResponse) => folderHref(segmentsOf(item.path)), []);

  const run = async (action: () => Promise<void>) => {
    setActionError(null);
    try {
      await action();
    } catch (error) {
      setActionError(error);
    }
  };

  const actions: FileActionHandlers = {
    open: (item) => (item.type === 1 ? navigate(hrefOf(item)) : void run(() => downloadFile(item.path))),
    download: (item) => void run(() => downloadFile(item.path)),
    share: setSharing,
    rename: setRenaming,
    move: (files) => setMoving({ mode: 'move', files, from: segments }),
    copy: (files) => setMoving({ mode: 'copy', files, from: segments }),
    remove: setDeleting,
    storagePolicy: setBinding,
    photoLibrary: setLibrary,
    details: setDetailed,
    versions: setVersioned,
  };

  const onSort = (column: OrderBy) => {
    const next = new URLSearchParams(params);
    next.set('sort', column);
    next.set('order', column === by && direction === 'asc' ? 'desc' : 'asc');
    setParams(next);
  };

  const onMenu = (event: MouseEvent, index: number) => {
    event.preventDefault();
    event.stopPropagation();
    const item = items[index];
    if (item && !selection.isSelected(item.id)) selection.select(index, 'only');
    if (event.type === 'click') {
      const rect = (event.currentTarget as HTMLElement).getBoundingClientRect();
      setMenu({ x: rect.left, y: rect.bottom, empty: false });
    } else setMenu({ x: event.clientX, y: event.clientY, empty: false });
  };

  const onKeyDown = useFileKeyboard({
    items,
    selection,
    grid: view === 'grid',
    elements,
    open: actions.open,
    remove: setDeleting,
    rename: setRenaming,
    openMenu: (at) => setMenu({ ...at, empty: false }),
    up: () => segments.length > 0 && navigate(folderHref(segments.slice(0, -1))),
  });

  const register = useCallback((index: number, element: HTMLElement | null) => {
    if (element) elements.current.set(index, element);
    else elements.current.delete(index);
  }, []);

  const upload = (files: File[]) => {
    if (files.length > 0) uploader.add(files.map(withRelativePath), segments);
  };

  const viewProps: FileViewProps = {
    items,
    selection,
    sort: { by, direction },
    onSort,
    onOpen: actions.open,
    onMenu,
    onKeyDown,
    register,
    hrefOf,
  };
  const selected = selection.selected;
  const one = selected.length === 1 ? selected[0]! : null;
  const missing = folder.error instanceof ApiError && folder.error.code === CODES.notExist;

  return (
    <Stack
      gap="sm"
      onContextMenu={(event) => {
        if (event.defaultPrevented) return;
        event.preventDefault();
        setMenu({ x: event.clientX, y: event.clientY, empty: true });
      }}
    >
      {/* Shown only while files are dragged over the page (invisible, not gone, otherwise): a
          visual cue, hidden from assistive technology, which has the Upload menu instead. */}
      <Dropzone.FullScreen
        onDrop={upload}
        activateOnClick={false}
        activateOnKeyboard={false}
        attributes={{ fullScreen: { 'aria-hidden': true } }}
      >
        <Center mih="60vh">
          <Stack align="center" gap="xs">
            <IconUpload size={48} aria-hidden />
            <Text size="xl">Drop files or folders to upload them here</Text>
          </Stack>
        </Center>
      </Dropzone.FullScreen>
      <input
        ref={filesInput}
        type="file"
        multiple
        hidden
        aria-label="Choose files to upload"
        onChange={(event) => {
          upload(Array.from(event.currentTarget.files ?? []));
          event.currentTarget.value = '';
        }}
      />
      <input
        ref={folderInput}
        type="file"
        multiple
        hidden
        aria-label="Choose a folder to upload"
        onChange={(event) => {
          upload(Array.from(event.currentTarget.files ?? []));
          event.currentTarget.value = '';
        }}
      />

      <VisuallyHidden>
        <h1>{segments.length ? segments[segments.length - 1] : 'My files'}</h1>
      </VisuallyHidden>
      <PathBreadcrumbs segments={segments} />

      <Group justify="space-between" gap="xs">
        {selected.length === 0 ? (
          <Group gap="xs">
            <ToolbarButton label="New folder" icon={<IconFolderPlus size={18} />} onClick={() => setNewFolder(true)} variant="filled" />
            <Menu position="bottom-start">
              <Menu.Target>
                <ToolbarButton label="Upload" icon={<IconUpload size={18} />} />
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Item onClick={() => filesInput.current?.click()}>Files…</Menu.Item>
                <Menu.Item onClick={() => folderInput.current?.click()}>A whole folder…</Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        ) : (
          <Group gap="xs" role="toolbar" aria-label="Selected items">
            <Text size="sm" fw={600} aria-live="polite">
              {plural(selected.length, 'item')} selected
            </Text>
            {one && one.type === 0 && (
              <ToolbarButton label="Download" icon={<IconDownload size={18} />} onClick={() => actions.download(one)} />
            )}
            {one && <ToolbarButton label="Share" icon={<IconShare size={18} />} onClick={() => actions.share(one)} />}
            {one && <ToolbarButton label="Rename" icon={<IconPencil size={18} />} onClick={() => actions.rename(one)} />}
            <ToolbarButton label="Move" icon={<IconArrowsMove size={18} />} onClick={() => actions.move(selected)} />
            <ToolbarButton label="Copy" icon={<IconCopy size={18} />} onClick={() => actions.copy(selected)} />
            <ToolbarButton label="Move to trash" icon={<IconTrash size={18} />} color="red" onClick={() => actions.remove(selected)} />
            <ToolbarButton label="Clear selection" icon={<IconX size={18} />} variant="subtle" onClick={selection.clear} iconOnly />
          </Group>
        )}
        <Group gap="xs">
          <Menu position="bottom-end">
            <Menu.Target>
              <ToolbarButton
                label={`Sort: ${ORDERS[by]}`}
                icon={<IconArrowsSort size={18} />}
                variant="subtle"
                iconOnly={selected.length > 0}
              />
            </Menu.Target>
            <Menu.Dropdown>
              {(Object.keys(ORDERS) as OrderBy[]).map((key) => (
                <Menu.Item key={key} onClick={() => onSort(key)} rightSection={key === by ? (direction === 'asc' ? '↑' : '↓') : null}>
                  {ORDERS[key]}
                </Menu.Item>
              ))}
            </Menu.Dropdown>
          </Menu>
          <ActionIcon.Group aria-label="View">
            <ActionIcon
              size="lg"
              variant={view === 'list' ? 'light' : 'default'}
              aria-pressed={view === 'list'}
              aria-label="List view"
              onClick={() => setView('list')}
            >
              <IconList size={18} />
            </ActionIcon>
            <ActionIcon
              size="lg"
              variant={view === 'grid' ? 'light' : 'default'}
              aria-pressed={view === 'grid'}
              aria-label="Grid view"
              onClick={() => setView('grid')}
            >
              <IconLayoutGrid size={18} />
            </ActionIcon>
          </ActionIcon.Group>
          <ToolbarButton label="Refresh" icon={<IconRefresh size={18} />} variant="subtle" onClick={folder.reload} iconOnly />
        </Group>
      </Group>

      <ErrorAlert error={actionError} onClose={() => setActionError(null)} />

      {folder.loading ? (
        <Stack gap={6} aria-busy aria-label="Loading">
          {[0, 1, 2, 3, 4].map((row) => (
            <Skeleton key={row} height={36} />
          ))}
        </Stack>
      ) : missing ? (
        <Stack align="center" py="xl" gap="sm">
          <IconFolderOff size={48} aria-hidden color="var(--mantine-color-dimmed)" />
          <Text fw={600}>This folder does not exist</Text>
          <Text size="sm" c="dimmed">
            {folder.error instanceof Error ? folder.error.message : ''}
          </Text>
          <Button onClick={() => navigate('/home')}>Go to My files</Button>
        </Stack>
      ) : folder.error ? (
        <Stack gap="xs">
          <ErrorAlert error={folder.error} title="This folder could not be listed" />
          <Group>
            <Button variant="light" onClick={folder.reload} leftSection={<IconRefresh size={16} />}>
              Try again
            </Button>
          </Group>
        </Stack>
      ) : items.length === 0 ? (
        <Stack align="center" py={48} gap="xs">
          <IconUpload size={48} aria-hidden color="var(--mantine-color-dimmed)" />
          <Text fw={600}>This folder is empty</Text>
          <Text size="sm" c="dimmed" ta="center">
            Drop files here, or use Upload. Folders you create appear here too.
          </Text>
        </Stack>
      ) : view === 'grid' ? (
        <FileGrid {...viewProps} />
      ) : (
        <FileList {...viewProps} />
      )}

      {folder.hasMore && (
        <Group justify="center">
          <Button variant="light" onClick={folder.loadMore} loading={folder.loadingMore}>
            Show more
          </Button>
        </Group>
      )}
      {folder.loadingMore && !folder.hasMore && <Loader size="sm" />}

      <ContextMenu at={menu} onClose={() => setMenu(null)} label={menu?.empty ? 'Folder actions' : 'Item actions'}>
        {menu?.empty || selected.length === 0 ? (
          <FolderMenuItems
            newFolder={() => setNewFolder(true)}
            uploadFiles={() => filesInput.current?.click()}
            uploadFolder={() => folderInput.current?.click()}
            refresh={folder.reload}
          />
        ) : (
          <SelectionMenuItems items={selected} actions={actions} />
        )}
      </ContextMenu>

      <NameDialog
        opened={newFolder}
        title="New folder"
        label="Folder name"
        confirmLabel="Create"
        onClose={() => setNewFolder(false)}
        onSubmit={async (name) => {
          await createFolder(myUri([...segments, name]));
          folder.reload();
        }}
      />
      <NameDialog
        opened={renaming !== null}
        title="Rename"
        label="New name"
        initial={renaming?.name ?? ''}
        selectStem={renaming?.type === 0}
        confirmLabel="Rename"
        onClose={() => setRenaming(null)}
        onSubmit={async (name) => {
          if (renaming && name !== renaming.name) await renameFile(renaming.path, name);
          folder.reload();
        }}
      />
      <MoveCopyDialog request={moving} onClose={() => setMoving(null)} onDone={folder.reload} />
      <DeleteDialog files={deleting} onClose={() => setDeleting(null)} onDone={folder.reload} />
      <CreateShareDialog file={sharing} onClose={() => setSharing(null)} />
      <StoragePolicyDialog folder={binding} onClose={() => setBinding(null)} />
      <PhotoLibraryDialog folder={library} onClose={() => setLibrary(null)} />
      <DetailsDialog file={detailed} onClose={() => setDetailed(null)} />
      <VersionsDialog file={versioned} onClose={() => setVersioned(null)} onChanged={folder.reload} />
    </Stack>
  );
}
