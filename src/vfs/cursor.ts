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
  if (!Array.isArray(payload) || payload.length !== 6 || (payload[0] !== 0 && payload[0] !== 1) || !isPosition(payload[2])) {
    throw new InvalidArgumentError('The list cursor is not valid');
  }
  // Before the value's type: a cursor of another order holds another column's value.
  if (payload[3] !== order.sort || payload[4] !== order.direction || payload[5] !== (order.foldersFirst ? 1 : 0)) {
    throw new InvalidArgumentError('The list cursor belongs to a different sort order');
  }
  // A forged cursor must fail here, not in the database: a value of the wrong type for the
  // sort column, a fraction, a number past bigint or a NUL in a name is an error in SQL.
  if (!(order.sort === 'name' ? isCursorName(payload[1]) : isPosition(payload[1]))) {
    throw new InvalidArgumentError('The list cursor is not valid');
  }
  return { rank: payload[0], value: payload[1] as string | number, id: payload[2] };
}

/** A whole number a bigint column holds (ids, sizes, times). */
export function isPosition(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** A name as entries hold them: not longer than any name may be, no NUL (which no database text takes). */
function isCursorName(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 1024 && !value.includes('\0');
}
