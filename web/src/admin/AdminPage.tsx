import { Tabs, Title, Stack } from '@mantine/core';
import { IconChartBar, IconDatabase, IconFolderShare, IconListCheck, IconSettings, IconUsers, IconUsersGroup } from '@tabler/icons-react';
import { useSearchParams } from 'react-router';
import { GroupsPanel } from './GroupsPanel';
import { JobsPanel } from './JobsPanel';
import { MountsPanel } from './MountsPanel';
import { OverviewPanel } from './OverviewPanel';
import { PoliciesPanel } from './PoliciesPanel';
import { ServerSettingsPanel } from './ServerSettingsPanel';
import { UsersPanel } from './UsersPanel';

/** Administration: overview, users, groups, server switches, jobs, storage policies, shared folders. The server checks every call. */
export function AdminPage() {
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'overview';
  return (
    <Stack>
      <Title order={1} size="h2">
        Administration
      </Title>
      <Tabs value={tab} onChange={(value) => setParams(value && value !== 'overview' ? { tab: value } : {})} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="overview" leftSection={<IconChartBar size={16} />}>
            Overview
          </Tabs.Tab>
          <Tabs.Tab value="users" leftSection={<IconUsers size={16} />}>
            Users
          </Tabs.Tab>
          <Tabs.Tab value="groups" leftSection={<IconUsersGroup size={16} />}>
            Groups
          </Tabs.Tab>
          <Tabs.Tab value="settings" leftSection={<IconSettings size={16} />}>
            Server
          </Tabs.Tab>
          <Tabs.Tab value="jobs" leftSection={<IconListCheck size={16} />}>
            Jobs
          </Tabs.Tab>
          <Tabs.Tab value="policies" leftSection={<IconDatabase size={16} />}>
            Storage
          </Tabs.Tab>
          <Tabs.Tab value="mounts" leftSection={<IconFolderShare size={16} />}>
            Shared folders
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="overview" pt="md">
          <OverviewPanel />
        </Tabs.Panel>
        <Tabs.Panel value="users" pt="md">
          <UsersPanel />
        </Tabs.Panel>
        <Tabs.Panel value="groups" pt="md">
          <GroupsPanel />
        </Tabs.Panel>
        <Tabs.Panel value="settings" pt="md">
          <ServerSettingsPanel />
        </Tabs.Panel>
        <Tabs.Panel value="jobs" pt="md">
          <JobsPanel />
        </Tabs.Panel>
        <Tabs.Panel value="policies" pt="md">
          <PoliciesPanel />
        </Tabs.Panel>
        <Tabs.Panel value="mounts" pt="md">
          <MountsPanel />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
