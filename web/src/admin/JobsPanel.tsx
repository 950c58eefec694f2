import { Badge, Button, Group, Progress, SegmentedControl, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { IconPlayerStop, IconRefresh } from '@tabler/icons-react';
import { useCallback, useEffect, useState } from 'react';
import { cancelJob, listJobs, retryJob, type AdminJob, type JobState } from '../api/jobs';
import { ErrorAlert } from '../ui/ErrorAlert';

const FILTERS: Array<{ value: string; label: string; states: JobState[] }> = [
  { value: 'all', label: 'All', states: [] },
  { value: 'active', label: 'Active', states: ['queued', 'running'] },
  { value: 'failed', label: 'Dead', states: ['dead'] },
  { value: 'done', label: 'Finished', states: ['completed', 'cancelled'] },
];

const COLORS: Record<JobState, string> = { queued: 'blue', running: 'teal', completed: 'gray', dead: 'red', cancelled: 'gray' };

/** How often the list refreshes while the page is visible. */
const REFRESH_MS = 1500;

/** The job queue: state, attempts and live progress of each job; retry and cancel. */
export function JobsPanel() {
  const [filter, setFilter] = useState('all');
  const [jobs, setJobs] = useState<AdminJob[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<number | null>(null);

  const load = useCallback(
    (signal?: AbortSignal) =>
      listJobs(FILTERS.find((item) => item.value === filter)!.states, signal)
        .then((page) => {
          setJobs(page.jobs);
          setError(null);
        })
        .catch((failure: unknown) => {
          if (!signal?.aborted) setError(failure);
        }),
    [filter],
  );

  // Polls while the page is visible, so progress moves without a reload.
  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void load(controller.signal);
    }, REFRESH_MS);
    return () => {
      clearInterval(timer);
      controller.abort();
    };
  }, [load]);

  const act = async (job: AdminJob, action: (id: number) => Promise<AdminJob>) => {
    setBusy(job.id);
    try {
      await action(job.id);
      await load();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(null);
    }
  };

  return (
    <Stack>
      <SegmentedControl
        aria-label="Show jobs"
        value={filter}
        onChange={setFilter}
        data={FILTERS.map(({ value, label }) => ({ value, label }))}
        w="fit-content"
      />
      <ErrorAlert error={error} />
      {jobs && jobs.length === 0 && <Text c="dimmed">No jobs.</Text>}
      {jobs && jobs.length > 0 && (
        <Table.ScrollContainer minWidth={720}>
          <Table verticalSpacing="sm" aria-label="Jobs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Id</Table.Th>
                <Table.Th>Kind</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Attempts</Table.Th>
                <Table.Th>Progress</Table.Th>
                <Table.Th>Next run</Table.Th>
                <Table.Th w={120}>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {jobs.map((job) => (
                <Table.Tr key={job.id} data-job-id={job.id}>
                  <Table.Td>{job.id}</Table.Td>
                  <Table.Td>
                    {job.kind}
                    {job.every_seconds !== null && (
                      <Text size="xs" c="dimmed">
                        every {formatSeconds(job.every_seconds)}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Badge color={COLORS[job.state]} variant="outline">
                      {job.cancel_requested && job.state === 'running' ? 'cancelling' : job.state}
                    </Badge>
                    {job.last_error && (
                      <Text size="xs" c="red.8" lineClamp={2} title={job.last_error}>
                        {job.last_error}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {job.attempts} / {job.max_attempts}
                  </Table.Td>
                  <Table.Td miw={140}>
                    {job.state === 'running' && (
                      <Stack gap={2}>
                        <Progress
                          value={(job.progress ?? 0) * 100}
                          animated={job.progress === null}
                          aria-label={`Progress of job ${job.id}`}
                        />
                        <Text size="xs" c="dimmed">
                          {job.progress !== null ? `${Math.round(job.progress * 100)}%` : ''} {job.progress_message ?? ''}
                        </Text>
                      </Stack>
                    )}
                  </Table.Td>
                  <Table.Td>{job.state === 'queued' ? new Date(job.run_at).toLocaleString() : '—'}</Table.Td>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      {(job.state === 'queued' || (job.state === 'running' && !job.cancel_requested)) && (
                        <Button
                          size="xs"
                          variant="default"
                          leftSection={<IconPlayerStop size={14} />}
                          loading={busy === job.id}
                          aria-label={`Cancel job ${job.id}`}
                          onClick={() => act(job, cancelJob)}
                        >
                          Cancel
                        </Button>
                      )}
                      {(job.state === 'dead' || job.state === 'cancelled' || job.state === 'completed') && (
                        <Button
                          size="xs"
                          variant="default"
                          leftSection={<IconRefresh size={14} />}
                          loading={busy === job.id}
                          aria-label={`Retry job ${job.id}`}
                          onClick={() => act(job, retryJob)}
                        >
                          Retry
                        </Button>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}

function formatSeconds(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
