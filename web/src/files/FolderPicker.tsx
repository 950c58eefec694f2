import { Anchor, Breadcrumbs, Button, Group, Loader, Paper, ScrollArea, Stack, Text, TextInput, UnstyledButton } from '@mantine/core';
import { IconChevronRight, IconFolderPlus, IconHome } from '@tabler/icons-react';
import { useEffect, useState, type FormEvent } from 'react';
import { createFolder, listFolder } from '../api/files';
import type { FileResponse } from '../api/types';
import { myUri, type Segments } from '../api/uri';
import { ErrorAlert } from '../ui/ErrorAlert';
import { FileIcon } from '../ui/FileIcon';

export interface FolderPickerProps {
  readonly value: Segments;
  onChange(value: Segments): void;
  /** Folders that may not be chosen or entered (a folder cannot move into itself). */
  readonly blocked?: (segments: Segments) => boolean;
}

/** Browses the folder tree one level at a time; the folder shown is the one picked. */
export function FolderPicker({ value, onChange, blocked = () => false }: FolderPickerProps) {
  const [folders, setFolders] = useState<FileResponse[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState('');
  const [version, setVersion] = useState(0);
  const key = value.join('/');

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    listFolder(myUri(value), { pageSize: 1000, signal: controller.signal })
      .then((page) => setFolders(page.files.filter((file) => file.type === 1)))
      .catch((failure: unknown) => {
        if (!controller.signal.aborted) setError(failure);
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
    // `key` stands for `value`'s contents.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, version]);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await createFolder(myUri([...value, name]));
      setCreating(false);
      setName('');
      setVersion((v) => v + 1);
    } catch (failure) {
      setError(failure);
    }
  };

  const crumbs = [{ label: 'My files', path: [] as string[] }, ...value.map((n, i) => ({ label: n, path: value.slice(0, i + 1) }))];
  return (
    <Stack gap="xs">
      <Breadcrumbs separatorMargin={4} styles={{ root: { flexWrap: 'wrap', rowGap: 2 } }} role="group" aria-label="Chosen folder">
        {crumbs.map((crumb, index) => (
          <Anchor key={index} component="button" type="button" size="sm" onClick={() => onChange(crumb.path)} className="file-name">
            {index === 0 ? <IconHome size={14} aria-hidden style={{ verticalAlign: 'text-bottom', marginRight: 3 }} /> : null}
            {crumb.label}
          </Anchor>
        ))}
      </Breadcrumbs>
      <Paper withBorder p={4}>
        <ScrollArea.Autosize mah={260} type="auto">
          {loading ? (
            <Group justify="center" p="md">
              <Loader size="sm" />
            </Group>
          ) : folders.length === 0 ? (
            <Text size="sm" c="dimmed" p="sm">
              No folders inside. Choose this one, or create a folder.
            </Text>
          ) : (
            <Stack gap={0} role="list" aria-label="Folders">
              {folders.map((folder) => {
                const path = [...value, folder.name];
                const disabled = blocked(path);
                return (
                  <div key={folder.id} role="listitem">
                    <UnstyledButton
                      disabled={disabled}
                      onClick={() => onChange(path)}
                      p={6}
                      w="100%"
                      aria-label={`Open folder ${folder.name}`}
                      style={{ opacity: disabled ? 0.45 : 1, borderRadius: 6 }}
                    >
                      <Group gap="xs" wrap="nowrap" justify="space-between">
                        <Group gap="xs" wrap="nowrap" miw={0}>
                          <FileIcon name={folder.name} folder size={18} />
                          <Text size="sm" truncate className="file-name">
                            {folder.name}
                          </Text>
                        </Group>
                        <IconChevronRight size={14} aria-hidden />
                      </Group>
                    </UnstyledButton>
                  </div>
                );
              })}
            </Stack>
          )}
        </ScrollArea.Autosize>
      </Paper>
      <ErrorAlert error={error} />
      {creating ? (
        <form onSubmit={create}>
          <Group gap="xs" align="flex-end" wrap="nowrap">
            <TextInput
              label="New folder name"
              value={name}
              onChange={(event) => setName(event.currentTarget.value)}
              style={{ flex: 1 }}
              autoFocus
            />
            <Button type="submit" disabled={name.trim() === ''}>
              Create
            </Button>
          </Group>
        </form>
      ) : (
        <Group>
          <Button variant="subtle" size="compact-sm" leftSection={<IconFolderPlus size={16} />} onClick={() => setCreating(true)}>
            New folder here
          </Button>
        </Group>
      )}
    </Stack>
  );
}
