import { ActionIcon, Badge, Button, Group, Modal, Stack, Table, Text, Title, Tooltip, VisuallyHidden } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useCallback, useEffect, useState } from 'react';
import { deleteDavAccount, isReadOnly, listDavAccounts } from '../api/dav';
import type { DavAccount } from '../api/types';
import { displayPath, segmentsOf } from '../api/uri';
import { useSession } from '../auth/useSession';
import { ErrorAlert } from '../ui/ErrorAlert';
import { formatDate } from '../ui/format';
import { ConnectPanel } from './ConnectPanel';
import { CreateDavAccountDialog } from './CreateDavAccountDialog';

/** WebDAV accounts (contract 18.1): one per device, each with its own password and root folder. */
export function DavPage() {
  const session = useSession();
  const [accounts, setAccounts] = useState<DavAccount[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<DavAccount | null>(null);
  const [revokeError, setRevokeError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    setError(null);
    listDavAccounts()
      .then((page) => setAccounts(page.accounts))
      .catch((failure: unknown) => {
        setAccounts([]);
        setError(failure);
      });
  }, []);
  useEffect(load, [load]);

  const revoke = async () => {
    if (!revoking) return;
    setBusy(true);
    setRevokeError(null);
    try {
      await deleteDavAccount(revoking.id);
      setRevoking(null);
      load();
    } catch (failure) {
      setRevokeError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          WebDAV
        </Title>
        <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
          New account
        </Button>
      </Group>
      <Text size="sm" c="dimmed">
        Each device or app gets its own account and password, limited to one folder, and can be revoked on its own.
      </Text>
      <ErrorAlert error={error} />
      {accounts && accounts.length === 0 && !error && <Text c="dimmed">No WebDAV accounts yet.</Text>}
      {accounts && accounts.length > 0 && (
        <Table.ScrollContainer minWidth={520}>
          <Table verticalSpacing="sm" aria-label="WebDAV accounts">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Root folder</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Last used</Table.Th>
                <Table.Th>Expires</Table.Th>
                <Table.Th w={60}>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {accounts.map((account) => (
                <Table.Tr key={account.id}>
                  <Table.Td>
                    <Group gap="xs">
                      <Text size="sm" className="file-name">
                        {account.name}
                      </Text>
                      {isReadOnly(account) && (
                        <Badge size="xs" color="gray">
                          Read-only
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" ff="monospace" className="file-name">
                      {displayPath(segmentsOf(account.uri))}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDate(account.created_at)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{account.last_used_at ? formatDate(account.last_used_at) : 'Never'}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{account.expires_at ? formatDate(account.expires_at) : 'Never'}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Tooltip label="Revoke">
                      <ActionIcon variant="subtle" color="red" onClick={() => setRevoking(account)} aria-label={`Revoke ${account.name}`}>
                        <IconTrash size={16} />
                      </ActionIcon>
                    </Tooltip>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <ConnectPanel email={session?.user.email ?? 'you@example.org'} />
      <CreateDavAccountDialog opened={creating} onClose={() => setCreating(false)} onCreated={load} />
      <Modal opened={revoking !== null} onClose={() => setRevoking(null)} title="Revoke this WebDAV account?" centered>
        <Stack>
          <Text size="sm">
            Clients signed in as <b className="file-name">{revoking?.name}</b> lose access at once.
          </Text>
          <ErrorAlert error={revokeError} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setRevoking(null)}>
              Cancel
            </Button>
            <Button color="red" loading={busy} onClick={revoke}>
              Revoke
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
