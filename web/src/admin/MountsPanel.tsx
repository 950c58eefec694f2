import { Button, Group, Modal, Paper, Select, Stack, Switch, Table, Text, TextInput, VisuallyHidden } from '@mantine/core';
import { IconFolderPlus, IconTrash, IconUsers } from '@tabler/icons-react';
import { useCallback, useEffect, useState } from 'react';
import { addMount, listMounts, removeMount, setMountReadOnly, type AdminMount } from '../api/mounts';
import { listPolicies } from '../api/policies';
import { ErrorAlert } from '../ui/ErrorAlert';
import { useAction } from '../ui/useAction';
import { MountMembersDialog } from './MountMembersDialog';

/** The source choice that means "a directory on the server" rather than a storage policy. */
const DIRECTORY = 'dir';
const POLICY = 'policy:';

/**
 * Shared folders: a directory on the server, an S3 prefix or a remote WebDAV tree (from a storage
 * policy) grafted at /NAME for the members of the group NAME.
 * Add, make read-only, remove (the directory stays), and the members of each.
 */
export function MountsPanel() {
  const [mounts, setMounts] = useState<AdminMount[] | null>(null);
  const [name, setName] = useState('');
  const [dir, setDir] = useState('');
  const [source, setSource] = useState<string>(DIRECTORY);
  const [prefix, setPrefix] = useState('');
  const [remotePolicies, setRemotePolicies] = useState<string[]>([]);
  const [readOnly, setReadOnly] = useState(false);
  const [removing, setRemoving] = useState<AdminMount | null>(null);
  const [members, setMembers] = useState<AdminMount | null>(null);

  const load = useCallback(() => listMounts().then(setMounts), []);
  const { busy, error, setError, act } = useAction(load);
  useEffect(() => {
    load().catch(setError);
    listPolicies()
      .then((policies) => setRemotePolicies(policies.filter((p) => p.type !== 'local').map((p) => p.name)))
      .catch(setError);
  }, [load, setError]);
  const fromPolicy = source !== DIRECTORY;

  const add = () =>
    act(async () => {
      const from = fromPolicy ? { policy: source.slice(POLICY.length), prefix: prefix.trim() } : { dir: dir.trim() };
      await addMount({ name: name.trim(), ...from, read_only: readOnly });
      setName('');
      setDir('');
      setPrefix('');
      setReadOnly(false);
    });

  return (
    <Stack>
      <ErrorAlert error={error} />
      {mounts && mounts.length === 0 && <Text c="dimmed">No shared folders yet.</Text>}
      {mounts && mounts.length > 0 && (
        <Table.ScrollContainer minWidth={720}>
          <Table verticalSpacing="sm" aria-label="Shared folders">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Directory</Table.Th>
                <Table.Th>Members</Table.Th>
                <Table.Th>Read-only</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {mounts.map((mount) => (
                <Table.Tr key={mount.group_id}>
                  <Table.Td>
                    <Text fw={500}>/{mount.name}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text ff="monospace" size="sm">
                      {mount.dir ?? `${mount.policy ?? '—'}${mount.prefix ? `: ${mount.prefix}/` : ''}`}
                    </Text>
                  </Table.Td>
                  <Table.Td>{mount.members}</Table.Td>
                  <Table.Td>
                    <Switch
                      checked={mount.read_only}
                      disabled={busy}
                      onChange={(event) => {
                        const checked = event.currentTarget.checked;
                        void act(() => setMountReadOnly(mount.name, checked));
                      }}
                      aria-label={`${mount.name} is read-only`}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Group gap="xs" justify="flex-end" wrap="nowrap">
                      <Button
                        size="xs"
                        variant="default"
                        leftSection={<IconUsers size={14} />}
                        onClick={() => setMembers(mount)}
                        aria-label={`Members of ${mount.name}`}
                      >
                        Members
                      </Button>
                      <Button
                        size="xs"
                        color="red"
                        variant="subtle"
                        leftSection={<IconTrash size={14} />}
                        disabled={busy}
                        onClick={() => setRemoving(mount)}
                        aria-label={`Remove ${mount.name}`}
                      >
                        Remove
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Paper withBorder p="md" maw={640}>
        <Stack>
          <Text fw={500}>Add a shared folder</Text>
          <TextInput
            label="Name"
            description="Members find it at /NAME; a group of the same name holds its members"
            value={name}
            onChange={(event) => setName(event.currentTarget.value)}
            required
          />
          <Select
            label="Source"
            data={[
              { value: DIRECTORY, label: 'A directory on the server' },
              ...remotePolicies.map((p) => ({ value: `${POLICY}${p}`, label: `Storage policy ${p}` })),
            ]}
            value={source}
            onChange={(value) => setSource(value ?? DIRECTORY)}
            allowDeselect={false}
          />
          {fromPolicy ? (
            <TextInput
              label="Prefix in the store"
              description="A folder below the policy's own prefix or root; empty for all of it"
              value={prefix}
              onChange={(event) => setPrefix(event.currentTarget.value)}
            />
          ) : (
            <TextInput
              label="Directory on the server"
              description="An existing directory; its files stay where they are"
              value={dir}
              onChange={(event) => setDir(event.currentTarget.value)}
              required
            />
          )}
          <Switch label="Read-only for members" checked={readOnly} onChange={(event) => setReadOnly(event.currentTarget.checked)} />
          <Group justify="flex-end">
            <Button
              leftSection={<IconFolderPlus size={16} />}
              onClick={() => void add()}
              loading={busy}
              disabled={name.trim() === '' || (!fromPolicy && dir.trim() === '')}
            >
              Add shared folder
            </Button>
          </Group>
        </Stack>
      </Paper>
      <Modal
        opened={removing !== null}
        onClose={() => setRemoving(null)}
        title={`Remove the shared folder ${removing?.name ?? ''}?`}
        centered
      >
        <Stack>
          <Text size="sm">
            /{removing?.name} disappears from the file list of each of its {removing?.members ?? 0} members, and its group goes with it. The
            directory {removing?.dir ?? ''} on the server is left as it is, files included.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setRemoving(null)}>
              Cancel
            </Button>
            <Button
              color="red"
              loading={busy}
              onClick={() => {
                const mount = removing!;
                setRemoving(null);
                void act(() => removeMount(mount.name));
              }}
            >
              Remove shared folder
            </Button>
          </Group>
        </Stack>
      </Modal>
      <MountMembersDialog mount={members} onClose={() => setMembers(null)} onChanged={() => void load()} />
    </Stack>
  );
}
