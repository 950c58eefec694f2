import { Badge, Button, Group, Paper, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconPlugConnected, IconPlus, IconTrash } from '@tabler/icons-react';
import { useCallback, useEffect, useState } from 'react';
import { addPolicy, listPolicies, removePolicy, testPolicy, type AdminPolicy, type PolicyType, type ProbeReport } from '../api/policies';
import { formatBytes } from '../ui/format';
import { ErrorAlert } from '../ui/ErrorAlert';
import { useAction } from '../ui/useAction';

/** What each type asks for when added here (the CLI and the API take every setting). */
const FIELDS: Record<PolicyType, Array<{ key: string; label: string; secret?: boolean }>> = {
  local: [{ key: 'path', label: 'Directory' }],
  s3: [
    { key: 'endpoint', label: 'Endpoint URL' },
    { key: 'bucket', label: 'Bucket' },
    { key: 'region', label: 'Region' },
    { key: 'accessKeyId', label: 'Access key' },
    { key: 'secretAccessKey', label: 'Secret key', secret: true },
  ],
  webdav: [
    { key: 'url', label: 'Server URL' },
    { key: 'username', label: 'User name' },
    { key: 'password', label: 'Password', secret: true },
  ],
};

/** Storage policies: where file contents live, what uses each, a probe, and adding or removing one. */
export function PoliciesPanel() {
  const [policies, setPolicies] = useState<AdminPolicy[] | null>(null);
  const [probes, setProbes] = useState<Record<string, ProbeReport>>({});
  const [type, setType] = useState<PolicyType>('local');
  const [name, setName] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});

  const load = useCallback(() => listPolicies().then(setPolicies), []);
  const { busy, error, setError, act } = useAction(load);
  useEffect(() => {
    load().catch(setError);
  }, [load, setError]);

  const add = () =>
    act(async () => {
      const settings = Object.fromEntries(
        Object.entries(values).filter(([key, value]) => value !== '' && FIELDS[type].some((f) => f.key === key)),
      );
      await addPolicy({ name, type, settings });
      setName('');
      setValues({});
    });

  return (
    <Stack>
      <ErrorAlert error={error} />
      {policies && (
        <Table.ScrollContainer minWidth={720}>
          <Table verticalSpacing="sm" aria-label="Storage policies">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th>Files</Table.Th>
                <Table.Th>Groups</Table.Th>
                <Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {policies.map((policy) => (
                <Table.Tr key={policy.id}>
                  <Table.Td>
                    <Text fw={500}>{policy.name}</Text>
                    {probes[policy.id] && (
                      <Text size="sm" c={probes[policy.id]!.ok ? 'teal' : 'red'} role="status">
                        {probes[policy.id]!.ok
                          ? 'Works: write, read and delete succeeded'
                          : probes[policy.id]!.steps.filter((s) => !s.ok)
                              .map((s) => `${s.step} failed: ${s.error ?? ''}`)
                              .join('; ')}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light">{policy.type}</Badge>
                  </Table.Td>
                  <Table.Td>
                    {policy.usage.blobs} ({formatBytes(policy.usage.bytes)})
                  </Table.Td>
                  <Table.Td>{policy.usage.groups.join(', ') || '—'}</Table.Td>
                  <Table.Td>
                    <Group gap="xs">
                      <Button
                        size="xs"
                        variant="default"
                        leftSection={<IconPlugConnected size={14} />}
                        disabled={busy}
                        onClick={() => act(async () => setProbes({ ...probes, [policy.id]: await testPolicy(policy.id) }))}
                        aria-label={`Test ${policy.name}`}
                      >
                        Test
                      </Button>
                      <Button
                        size="xs"
                        color="red"
                        variant="subtle"
                        leftSection={<IconTrash size={14} />}
                        disabled={busy}
                        onClick={() => act(() => removePolicy(policy.id))}
                        aria-label={`Remove ${policy.name}`}
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
          <Text fw={500}>Add a storage policy</Text>
          <TextInput label="Name" value={name} onChange={(event) => setName(event.currentTarget.value)} required />
          <Select
            label="Type"
            value={type}
            onChange={(value) => value && setType(value as PolicyType)}
            data={[
              { value: 'local', label: 'Local directory' },
              { value: 's3', label: 'S3-compatible bucket' },
              { value: 'webdav', label: 'WebDAV server' },
            ]}
            allowDeselect={false}
          />
          {FIELDS[type].map((field) => (
            <TextInput
              key={field.key}
              label={field.label}
              type={field.secret ? 'password' : 'text'}
              value={values[field.key] ?? ''}
              onChange={(event) => setValues({ ...values, [field.key]: event.currentTarget.value })}
            />
          ))}
          <Group justify="flex-end">
            <Button leftSection={<IconPlus size={16} />} onClick={() => void add()} loading={busy} disabled={name.trim() === ''}>
              Add policy
            </Button>
          </Group>
        </Stack>
      </Paper>
    </Stack>
  );
}
