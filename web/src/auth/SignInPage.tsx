import { Anchor, Button, Center, Paper, PasswordInput, Stack, Tabs, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { Navigate, useSearchParams } from 'react-router';
import { signIn } from '../api/session';
import { loginConfig, signUp } from '../api/user';
import { ErrorAlert } from '../ui/ErrorAlert';
import { Logo } from '../app/Logo';
import { safeNext } from './RequireAuth';
import { useSession } from './useSession';

/** Contract 5.3 sign-in, and sign-up when the administrator allows it (5.1 `register_enabled`). */
export function SignInPage() {
  const session = useSession();
  const [params] = useSearchParams();
  const [mode, setMode] = useState<string | null>('signin');
  const [registerEnabled, setRegisterEnabled] = useState(false);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    loginConfig()
      .then((config) => setRegisterEnabled(Boolean(config.register_enabled)))
      .catch(() => setRegisterEnabled(false));
  }, []);

  if (session) return <Navigate to={safeNext(params.get('next'))} replace />;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      if (mode === 'signup') {
        await signUp(email.trim(), password);
        setNotice('Your account is ready. Sign in with it now.');
        setMode('signin');
      } else {
        await signIn(email.trim(), password);
      }
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Center mih="100%" p="md">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={400} component="main">
        <Stack gap="md">
          <Stack gap={4} align="center">
            <Logo size={40} />
            <Title order={1} size="h2">
              Cumulus
            </Title>
            <Text c="dimmed" size="sm">
              Your files, on your own server
            </Text>
          </Stack>
          {registerEnabled && (
            <Tabs value={mode} onChange={setMode}>
              <Tabs.List grow>
                <Tabs.Tab value="signin">Sign in</Tabs.Tab>
                <Tabs.Tab value="signup">Create account</Tabs.Tab>
              </Tabs.List>
            </Tabs>
          )}
          <form onSubmit={submit} aria-label={mode === 'signup' ? 'Create account' : 'Sign in'}>
            <Stack gap="sm">
              <TextInput
                label="Email"
                type="email"
                autoComplete="username"
                required
                value={email}
                onChange={(event) => setEmail(event.currentTarget.value)}
                autoFocus
              />
              <PasswordInput
                label="Password"
                autoComplete={mode === 'signup' ? 'new-password' : 'current-password'}
                required
                value={password}
                onChange={(event) => setPassword(event.currentTarget.value)}
              />
              <ErrorAlert error={error} />
              {notice && (
                <Text c="teal" size="sm" role="status">
                  {notice}
                </Text>
              )}
              <Button type="submit" loading={busy} fullWidth>
                {mode === 'signup' ? 'Create account' : 'Sign in'}
              </Button>
            </Stack>
          </form>
          <Text size="xs" c="dimmed" ta="center">
            WebDAV clients connect at{' '}
            <Anchor size="xs" href="/dav/" target="_blank" rel="noreferrer" underline="always">
              {window.location.origin}/dav/
            </Anchor>{' '}
            with a WebDAV account password.
          </Text>
        </Stack>
      </Paper>
    </Center>
  );
}
