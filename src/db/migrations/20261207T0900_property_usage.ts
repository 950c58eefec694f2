import { sql, type Kysely } from 'kysely';
import type { SqlDialectName } from '../dialect.js';

/**
 * Dead properties count towards their owner's storage used (issue 10): each costs the UTF-8
 * bytes of its namespace, name and value. Charges what users already store, so that usage
 * stays exact when those properties are later removed. The expression is this migration's own
 * copy of PropertyRepository's propertyBytes as it stood, so that the migration never changes.
 */
export function propertyUsage(_dialect: SqlDialectName) {
  const chargeEach = (sign: 1 | -1) =>
    sql`update users set storage_used = storage_used + ${sign} * coalesce((
      select sum(octet_length(p.namespace) + octet_length(p.name) + octet_length(p.value))
      from dead_properties p join entries e on e.id = p.entry_id
      where e.owner_id = users.id), 0)`;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await chargeEach(1).execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await chargeEach(-1).execute(db);
    },
  };
}
