import { Alert } from '@mantine/core';
import { IconInfoCircle } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { sendsPasswordsInClear } from './plainHttp';

/** Says that this connection is not encrypted, when the page came over plain HTTP from another machine; otherwise nothing. */
export function PlainHttpWarning({ children }: { children: ReactNode }) {
  if (!sendsPasswordsInClear(window.location.origin)) return null;
  return (
    <Alert variant="light" color="orange" icon={<IconInfoCircle size={18} />} title="This connection is not encrypted">
      {children}
    </Alert>
  );
}
