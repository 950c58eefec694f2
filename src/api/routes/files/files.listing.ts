import type { SortField } from '../../../core/index.js';
import { capabilityOf } from '../../present.js';
import type { Space } from '../../space.js';

/** Contract 7.2: the order_by values a listing takes, and the vfs order each means. */
const ORDERS: Record<string, SortField> = { name: 'name', size: 'size', updated_at: 'modified', created_at: 'created' };

/** Contract 7.2: an unknown order_by (even one like `__proto__`) is creation order. */
export const sortFieldOf = (orderBy: string): SortField => (Object.hasOwn(ORDERS, orderBy) ? ORDERS[orderBy]! : 'created');

/** Contract 7.3: the `props` of a listing or a search (Cloudreve answers null options when searching; any are harmless). */
export function listingProps(space: Space, maxPageSize: number) {
  return {
    capability: capabilityOf(space),
    max_page_size: maxPageSize,
    order_by_options: Object.keys(ORDERS),
    order_direction_options: ['asc', 'desc'],
  };
}
