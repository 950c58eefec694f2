import { Badge, Button, Group, Modal, NumberInput, Stack, Switch, Table, TextInput, VisuallyHidden } from '@mantine/core';
import { IconPencil, IconPlus } from '@tabler/icons-react';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { createGroup, listGroups, updateGroup, type AdminGroup, type GroupPermissions } from '../api/admin';
import { listPolicies, type AdminPolicy } from '../api/policies';
import { ErrorAlert } from '../ui/ErrorAlert';
import { formatBytes } from '../ui/format';
import { GroupPoliciesInput } from './GroupPoliciesInput';

const GIB = 1024 ** 3;
const PERMISSIONS: Array<{ key: keyof GroupPermissions; label: string }> = [
  { key: 'share', label: 'Create share links' },
  { key: 'webdav', label: 'Use WebDAV' },
  { key: 'versions', label: 'Keep old versions' },
  { key: 'admin', label: 'Administrator' },
];
const NONE: GroupPermissions = { webdav: false, share: false, versions: false, admin: false };

/** Groups: quota, permissions and storage policies. */
export function GroupsPanel() {
  const [groups, setGroups] = useState<AdminGroup[] | null>(null);
  const [policies, setPolicies] = useState<AdminPolicy[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState<AdminGroup | 'new' | null>(null);
  const load = useCallback(() => {
    setError(null);
    listGroups()
      .then((answer) => setGroups(answer.groups))
      .catch(setError);
    listPolicies().then(setPolicies).catch(setError);
  }, []);
  useEffect(load, [load]);
  return (
    <Stack>
      <Group justify="flex-end">
        <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')}>
          New group
        </Button>
      </Group>
      <ErrorAlert error={error} />
      {groups && (
        <Table.ScrollContainer minWidth={560}>
          <Table verticalSpacing="sm" aria-label="Groups">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Quota</Table.Th>
                <Table.Th>Permissions</Table.Th>
                <Table.Th>Storage policies</Table.Th>
                <Table.Th>Users</Table.Th>
                <Table.Th w={80}>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {groups.map((group) => (
                <Table.Tr key={group.id}>
                  <Table.Td>
                    {group.name}
                    {group.built_in && (
                      <Badge size="xs" color="gray" variant="light" ml={6}>
                        built-in
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>{group.max_storage === null ? 'Unlimited' : formatBytes(group.max_storage)}</Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {PERMISSIONS.filter((p) => group.permissions[p.key]).map((p) => (
                        <Badge key={p.key} size="xs" variant="light">
                          {p.label}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>{policyNames(group, policies)}</Table.Td>
                  <Table.Td>{group.total_users ?? '—'}</Table.Td>
                  <Table.Td>
                    <Button
                      size="compact-sm"
                      variant="subtle"
                      leftSection={<IconPencil size={14} />}
                      onClick={() => setEditing(group)}
                      aria-label={`Edit group ${group.name}`}
                    >
                      Edit
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <GroupDialog group={editing} policies={policies} onClose={() => setEditing(null)} onSaved={load} />
    </Stack>
  );
}

/** The group's policies by name, the default first and marked. */
function policyNames(group: AdminGroup, policies: readonly AdminPolicy[] | null): string {
  const names = group.storage_policies.map((id) => policies?.find((policy) => policy.id === id)?.name ?? `#${id}`);
  return names.map((name, i) => (i === 0 ? `${name} (default)` : name)).join(', ');
}

function GroupDialog({
  group,
  policies,
  onClose,
  onSaved,
}: {
  group: AdminGroup | 'new' | null;
  policies: readonly AdminPolicy[] | null;
  onClose(): void;
  onSaved(): void;
}) {
  const existing = group && group !== 'new' ? group : null;
  const [name, setName] = useState('');
  const [quota, setQuota] = useState<number | string>('');
  const [permissions, setPermissions] = useState<GroupPermissions>(NONE);
  const [storagePolicies, setStoragePolicies] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    setName(existing?.name ?? '');
    setQuota(existing?.max_storage ? Math.round((existing.max_storage / GIB) * 100) / 100 : '');
    setPermissions(existing?.permissions ?? NONE);
    setStoragePolicies([...(existing?.storage_policies ?? [])]);
    setError(null);
  }, [group, existing]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const maxStorage = typeof quota === 'number' && quota > 0 ? Math.round(quota * GIB) : null;
    // Left out, a new group gets the User group's policies; an existing one cannot have none.
    const chosenPolicies = storagePolicies.length > 0 ? { storage_policies: storagePolicies } : {};
    try {
      if (existing && policies && storagePolicies.length === 0) throw new Error('Choose at least one storage policy for the group.');
      if (existing) {
        await updateGroup(existing.id, {
          ...(name.trim() !== existing.name && { name: name.trim() }),
          permissions,
          max_storage: maxStorage,
          ...chosenPolicies,
        });
      } else {
        await createGroup({ name: name.trim(), permissions, max_storage: maxStorage, ...chosenPolicies });
      }
      onSaved();
      onClose();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal opened={group !== null} onClose={onClose} title={existing ? `Edit group ${existing.name}` : 'New group'} centered>
      <form onSubmit={submit}>
        <Stack>
          <TextInput
            label="Name"
            value={name}
            onChange={(event) => setName(event.currentTarget.value)}
            required
            disabled={existing?.built_in}
          />
          <NumberInput
            label="Quota per member (GiB)"
            description="Leave empty for no limit"
            min={0}
            decimalScale={2}
            value={quota}
            onChange={setQuota}
          />
          {PERMISSIONS.map((p) => (
            <Switch
              key={p.key}
              label={p.label}
              checked={permissions[p.key]}
              onChange={(event) => {
                const on = event.currentTarget.checked;
                setPermissions((previous) => ({ ...previous, [p.key]: on }));
              }}
            />
          ))}
          <GroupPoliciesInput policies={policies} value={storagePolicies} onChange={setStoragePolicies} />
          <ErrorAlert error={error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
