import { InvalidArgumentError, type SortDirection, type SortField } from '../core/index.js';
import type { EntryCursor } from '../db/index.js';

/**
 * List cursors are opaque to clients: the keyset position plus the order it belongs to, so a
 * cursor replayed with another order is refused instead of skipping entries.
 */
export function encodeCursor(position: EntryCursor, order: { sort: SortField; direction: SortDirection; foldersFirst: boolean }): string {
  const payload = [position.rank, position.value, position.id, order.sort, order.direction, order.foldersFirst ? 1 : 0];
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

export function decodeCursor(cursor: string, order: { sort: SortField; direction: SortDirection; foldersFirst: boolean }): EntryCursor {
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidArgumentError('The list cursor is not valid');
  }
  if (
    !Array.isArray(payload) ||
    payload.length !== 6 ||
    typeof payload[0] !== 'number' ||
    (typeof payload[1] !== 'number' && typeof payload[1] !== 'string') ||
    typeof payload[2] !== 'number'
  ) {
    throw new InvalidArgumentError('The list cursor is not valid');
  }
  if (payload[3] !== order.sort || payload[4] !== order.direction || payload[5] !== (order.foldersFirst ? 1 : 0)) {
    throw new InvalidArgumentError('The list cursor belongs to a different sort order');
  }
  return { rank: payload[0], value: payload[1] as string | number, id: payload[2] };
}
