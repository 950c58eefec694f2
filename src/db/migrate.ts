import { Migrator, sql, type Kysely, type MigrationResultSet } from 'kysely';
import { StartupError } from '../core/index.js';
import type { SqlDialectName } from './dialect.js';
import { translateDatabaseError } from './errors.js';
import { migrationsFor } from './migrations/index.js';

export const MIGRATION_TABLE = 'schema_migrations';

/**
 * PostgreSQL advisory lock keys (two-int form): our class, then one key per start-up duty,
 * so that nothing else sharing the database can collide with them.
 */
export const ADVISORY_LOCK_CLASS = 0x43554d55; // 'CUMU'
export const ADVISORY_LOCKS = { migrate: 1, startup: 2 } as const;

/** How long a process waits for another one's migrations before giving up. */
const SQLITE_MIGRATION_WAIT_MS = 120_000;

type Direction = 'latest' | 'down';

/**
 * Applies migrations with every other process kept out until they are done, so that
 * several workers or nodes starting at once against one database all succeed: the
 * first migrates, the others then find nothing to do. PostgreSQL: a session advisory lock
 * on one connection around the whole run. SQLite: one BEGIN IMMEDIATE transaction (its DDL
 * is transactional), so the run is also all-or-nothing. Refuses a database that a newer
 * version has migrated.
 */
export async function migrateExclusively(db: Kysely<unknown>, dialect: SqlDialectName, direction: Direction): Promise<MigrationResultSet> {
  await assertReachable(db);
  return db.connection().execute(async (connection) => {
    if (dialect === 'postgres') {
      await sql`select pg_advisory_lock(${ADVISORY_LOCK_CLASS}, ${ADVISORY_LOCKS.migrate})`.execute(connection);
      try {
        return await run(connection, dialect, direction);
      } finally {
        await sql`select pg_advisory_unlock(${ADVISORY_LOCK_CLASS}, ${ADVISORY_LOCKS.migrate})`.execute(connection);
      }
    }
    await beginImmediate(connection);
    try {
      const result = await run(connection, dialect, direction);
      await sql`commit`.execute(connection);
      return result;
    } catch (error) {
      await sql`rollback`.execute(connection).catch(() => undefined);
      throw error;
    }
  });
}

async function run(connection: Kysely<unknown>, dialect: SqlDialectName, direction: Direction): Promise<MigrationResultSet> {
  const migrations = migrationsFor(dialect);
  const unknown = (await appliedMigrations(connection)).filter((name) => !(name in migrations));
  if (unknown.length > 0) {
    throw new StartupError(
      `The database was migrated by a newer version of Cumulus (unknown migration ${unknown.at(-1)}); run that version or newer`,
    );
  }
  const migrator = new Migrator({
    db: connection,
    provider: { getMigrations: async () => migrations },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: 'schema_migrations_lock',
    // SQLite: the transaction around the run is ours.
    disableTransactions: dialect === 'sqlite',
  });
  const result = direction === 'latest' ? await migrator.migrateToLatest() : await migrator.migrateDown();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Migration ${failed} failed: ${(result.error as Error).message}`, { cause: result.error });
  }
  return result;
}

/** Names of the migrations this version knows that the database has not had yet. */
export async function pendingMigrations(db: Kysely<unknown>, dialect: SqlDialectName): Promise<string[]> {
  await assertReachable(db);
  const applied = new Set(await appliedMigrations(db));
  return Object.keys(migrationsFor(dialect)).filter((name) => !applied.has(name));
}

/** A database that cannot be opened is a start-up failure: one readable line, exit 2. */
async function assertReachable(db: Kysely<unknown>): Promise<void> {
  await sql`select 1`.execute(db).catch((error: unknown) => {
    const reason = translateDatabaseError(error);
    throw new StartupError(`Cannot open the database: ${(reason as Error).message ?? String(reason)}`, { cause: error });
  });
}

/** Names of the migrations applied to this database (none when it is new). */
export async function appliedMigrations(db: Kysely<unknown>): Promise<string[]> {
  const tables = await db.introspection.getTables();
  if (!tables.some((table) => table.name === MIGRATION_TABLE)) return [];
  const rows = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)} order by name`.execute(db);
  return rows.rows.map((row) => row.name);
}

/**
 * Takes SQLite's write lock. The driver's busy timeout waits a few seconds at a time;
 * another process's migrations may take longer on a loaded machine, so keep asking.
 */
async function beginImmediate(connection: Kysely<unknown>): Promise<void> {
  const deadline = Date.now() + SQLITE_MIGRATION_WAIT_MS;
  for (;;) {
    try {
      await sql`begin immediate`.execute(connection);
      return;
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (!code.startsWith('SQLITE_BUSY') || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
