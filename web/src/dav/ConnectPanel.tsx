import { ActionIcon, Alert, Code, CopyButton, Group, List, Paper, Stack, Tabs, Text, Title, Tooltip } from '@mantine/core';
import { IconBrandApple, IconBrandUbuntu, IconBrandWindows, IconCheck, IconCopy, IconInfoCircle, IconTerminal2 } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { PlainHttpWarning } from '../ui/PlainHttpWarning';
import { connectInfo } from './connect';

/** "Connect via WebDAV": exactly what to type in each client, for this server's address. */
export function ConnectPanel({ email }: { email: string }) {
  const info = connectInfo(window.location.origin, email);
  return (
    <Paper withBorder p="md" className="breakable">
      <Stack gap="sm">
        <Title order={2} size="h4">
          Connect via WebDAV
        </Title>
        <Text size="sm">
          Sign in with your email <Code>{email}</Code> as the user name and the password of a WebDAV account below (never your sign-in
          password).
        </Text>
        <Copyable label="WebDAV address" value={info.url} />
        <PlainHttpWarning>
          WebDAV clients send the account password with every request (HTTP Basic authentication). Over plain HTTP anyone on the network
          path can read it. Serve Cumulus over HTTPS (<Code>--tls-cert</Code>/<Code>--tls-key</Code>, <Code>--tls self-signed</Code> on a
          LAN, or a reverse proxy) before connecting from another machine.
        </PlainHttpWarning>
        <Tabs defaultValue="windows">
          <Tabs.List>
            <Tabs.Tab value="windows" leftSection={<IconBrandWindows size={16} />}>
              Windows
            </Tabs.Tab>
            <Tabs.Tab value="macos" leftSection={<IconBrandApple size={16} />}>
              macOS
            </Tabs.Tab>
            <Tabs.Tab value="linux" leftSection={<IconBrandUbuntu size={16} />}>
              Linux
            </Tabs.Tab>
            <Tabs.Tab value="rclone" leftSection={<IconTerminal2 size={16} />}>
              rclone
            </Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="windows" pt="sm">
            <Stack gap="xs">
              <Step>
                In File Explorer, right-click <b>This PC</b> → <b>Map network drive…</b>, and as the folder enter:
              </Step>
              <Copyable label="Windows folder" value={info.windowsUnc} />
              <Step>or paste the address above into Explorer’s address bar. Tick “Connect using different credentials”.</Step>
              <Alert
                variant="light"
                color="yellow"
                icon={<IconInfoCircle size={18} />}
                title="Windows limits"
                className="breakable"
                // Yellow text on its light tint is 1.7:1; the title takes the body text's colour.
                styles={{ title: { color: 'var(--mantine-color-text)' } }}
              >
                <List size="sm" spacing={4}>
                  <List.Item>
                    Windows refuses files over <b>50 MB</b> by default. To raise it, set{' '}
                    <Code>HKLM\SYSTEM\CurrentControlSet\Services\WebClient\Parameters\FileSizeLimitInBytes</Code> to <Code>4294967295</Code>{' '}
                    (4 GB, the most it allows) and restart the WebClient service.
                  </List.Item>
                  <List.Item>
                    Windows sends passwords with HTTP Basic authentication only over HTTPS.
                    {info.secure
                      ? ' This server uses HTTPS, so it works as is.'
                      : ' This page is served over plain HTTP: put the server behind HTTPS (recommended), or set BasicAuthLevel to 2 in the same registry key, which sends your password unencrypted.'}
                  </List.Item>
                  <List.Item>The WebClient service must be running (it is by default on Windows 10 and 11).</List.Item>
                </List>
              </Alert>
            </Stack>
          </Tabs.Panel>
          <Tabs.Panel value="macos" pt="sm">
            <Stack gap="xs">
              <Step>
                In Finder choose <b>Go → Connect to Server…</b> (⌘K), enter the address and choose <b>Connect</b>:
              </Step>
              <Copyable label="Finder server address" value={info.macos} />
              <Step>Choose “Registered User” and enter your email and the WebDAV account password.</Step>
            </Stack>
          </Tabs.Panel>
          <Tabs.Panel value="linux" pt="sm">
            <Stack gap="xs">
              <Step>
                GNOME Files (Nautilus): <b>Other Locations</b> → “Connect to Server”:
              </Step>
              <Copyable label="GNOME address" value={info.gnome} />
              <Step>KDE Dolphin: type into the location bar:</Step>
              <Copyable label="KDE address" value={info.kde} />
              <Step>
                Or mount it with davfs2 (<Code>apt install davfs2</Code>):
              </Step>
              <Copyable label="davfs2 command" value={info.davfs2} />
            </Stack>
          </Tabs.Panel>
          <Tabs.Panel value="rclone" pt="sm">
            <Stack gap="xs">
              <Step>
                Add this to <Code>~/.config/rclone/rclone.conf</Code> (or run <Code>rclone config</Code>), with the output of{' '}
                <Code>rclone obscure</Code> as <Code>pass</Code>:
              </Step>
              <Copyable label="rclone configuration" value={info.rclone} block />
              <Step>
                Then for example <Code>rclone ls cumulus:</Code> or <Code>rclone mount cumulus: ~/Cumulus</Code>.
              </Step>
            </Stack>
          </Tabs.Panel>
        </Tabs>
      </Stack>
    </Paper>
  );
}

function Step({ children }: { children: ReactNode }) {
  return <Text size="sm">{children}</Text>;
}

/** A value to type into a client, with a copy button. */
export function Copyable({ label, value, block }: { label: string; value: string; block?: boolean }) {
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start">
      {/* A block may scroll sideways on a phone: focusable, so the keyboard can scroll it too. */}
      <Code block={block} style={{ flex: 1, overflowX: 'auto' }} aria-label={label} tabIndex={block ? 0 : undefined}>
        {value}
      </Code>
      <CopyButton value={value}>
        {({ copied, copy }) => (
          <Tooltip label={copied ? 'Copied' : 'Copy'}>
            <ActionIcon variant="subtle" onClick={copy} aria-label={`Copy ${label}`} color={copied ? 'teal' : undefined}>
              {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
            </ActionIcon>
          </Tooltip>
        )}
      </CopyButton>
    </Group>
  );
}
