import { notifications } from '@mantine/notifications';
import { useEffect } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { subscribe } from '../api/session';

/** When the server ends the session (refresh refused), say so and return to the sign-in page. */
export function SessionWatcher() {
  const navigate = useNavigate();
  const location = useLocation();
  useEffect(
    () =>
      subscribe((session, reason) => {
        if (session || reason !== 'expired') return;
        notifications.show({ color: 'yellow', title: 'Signed out', message: 'Your session has ended. Sign in again to continue.' });
        if (!location.pathname.startsWith('/s/')) {
          navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
        }
      }),
    [navigate, location],
  );
  return null;
}
