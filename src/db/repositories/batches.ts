/** How many ids one `in (...)` list, or how many rows one multi-row insert, carries at most. */
const BATCH_SIZE = 500;

/**
 * `items` in consecutive slices of at most 500. Every id of an `in` list and every column of
 * an inserted row is a bound parameter, and both databases cap how many one statement may
 * bind; batching keeps statements under the cap whatever the number of items.
 */
export function* batchesOf<T>(items: readonly T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += BATCH_SIZE) yield items.slice(i, i + BATCH_SIZE);
}
