import { AppShell, Avatar, Burger, Group, Menu, NavLink, ScrollArea, Text, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconFolder, IconLogout, IconPhoto, IconServerCog, IconSettings, IconShare, IconTrash, IconWorldWww } from '@tabler/icons-react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { signOut } from '../api/session';
import { useIsAdmin, useSession } from '../auth/useSession';
import { UploadPanel } from '../uploads/UploadPanel';
import { Logo } from './Logo';
import { DANGER } from './theme';
import { StorageMeter } from './StorageMeter';

const LINKS = [
  { to: '/home', label: 'My files', icon: IconFolder },
  { to: '/shares', label: 'Shares', icon: IconShare },
  { to: '/trash', label: 'Trash', icon: IconTrash },
  { to: '/photos', label: 'Photos', icon: IconPhoto },
  { to: '/webdav', label: 'WebDAV', icon: IconWorldWww },
  { to: '/settings', label: 'Settings', icon: IconSettings },
];

/** The frame of every signed-in page: header, navigation (a drawer on phones), uploads. */
export function AppLayout() {
  const [opened, { toggle, close }] = useDisclosure(false);
  const session = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const user = session?.user;
  const admin = useIsAdmin(user);
  const links = admin ? [...LINKS, { to: '/admin', label: 'Administration', icon: IconServerCog }] : LINKS;

  const leave = async () => {
    await signOut();
    navigate('/login', { replace: true });
  };

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <UnstyledButton component={Link} to="/home" aria-label="Cumulus home">
              <Group gap={8} wrap="nowrap">
                <Logo />
                <Text fw={700} size="lg">
                  Cumulus
                </Text>
              </Group>
            </UnstyledButton>
          </Group>
          <Menu position="bottom-end" withArrow>
            <Menu.Target>
              <UnstyledButton aria-label={`Account menu for ${user?.email ?? user?.nickname ?? 'you'}`}>
                <Group gap={8} wrap="nowrap">
                  {/* An icon, not an initial: a letter would be text missing from the button's name. */}
                  <Avatar radius="xl" size={32} color="blue" aria-hidden />
                  <Text size="sm" visibleFrom="sm" maw={220} truncate>
                    {user?.email ?? user?.nickname}
                  </Text>
                </Group>
              </UnstyledButton>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Label>{user?.nickname || user?.email}</Menu.Label>
              <Menu.Item component={Link} to="/settings" leftSection={<IconSettings size={16} />}>
                Settings
              </Menu.Item>
              <Menu.Item color={DANGER} leftSection={<IconLogout size={16} />} onClick={leave}>
                Sign out
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main navigation">
        <AppShell.Section grow component={ScrollArea}>
          {links.map((link) => (
            <NavLink
              key={link.to}
              component={Link}
              to={link.to}
              label={link.label}
              leftSection={<link.icon size={18} />}
              active={location.pathname.startsWith(link.to)}
              onClick={close}
            />
          ))}
        </AppShell.Section>
        <AppShell.Section>
          <StorageMeter />
        </AppShell.Section>
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
      <UploadPanel />
    </AppShell>
  );
}
