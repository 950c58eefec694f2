import SqliteDatabase from 'better-sqlite3';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql, type MigrationResultSet, type Transaction } from 'kysely';
import { dialectOfUrl, sqlitePathOfUrl, type SqlDialectName } from './dialect.js';
import { isEntryNameViolation, isRetryable, translateDatabaseError } from './errors.js';
import { ADVISORY_LOCK_CLASS, ADVISORY_LOCKS, migrateExclusively, pendingMigrations } from './migrate.js';
import type { Tables } from './schema.js';

export type Db = Kysely<Tables>;
export type Tx = Transaction<Tables> | Kysely<Tables>;

export interface DatabaseOptions {
  readonly url: string;
  readonly poolSize?: number;
  readonly busyTimeoutMs?: number;
}

/**
 * One database connection (SQLite) or pool (PostgreSQL) behind Kysely, with the one
 * transaction helper every repository uses.
 */
export class Database {
  private constructor(
    readonly db: Db,
    readonly dialect: SqlDialectName,
  ) {}

  static open(options: DatabaseOptions): Database {
    const dialect = dialectOfUrl(options.url);
    if (dialect === 'postgres') {
      const pool = new pg.Pool({
        connectionString: options.url,
        max: options.poolSize ?? 10,
        // int8 (bigint) and numeric arrive as strings by default; every bigint we store
        // (sizes, times, ids) fits in a double.
        types: {
          getTypeParser: (oid: number, format?: 'text' | 'binary') =>
            oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text'),
        } as pg.CustomTypesConfig,
      });
      // A pooled idle client that loses its server must not crash the process.
      pool.on('error', () => undefined);
      // Nor one checked out between two statements (a transaction awaiting other work when the
      // server goes away): pg emits 'error' on the client itself, and unheard that ends the
      // process. The next statement on it fails and becomes UnavailableError (a 503).
      pool.on('connect', (client) => client.on('error', () => undefined));
      return new Database(new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) }), dialect);
    }
    const file = sqlitePathOfUrl(options.url);
    if (file !== ':memory:') {
      mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
      // Created owner-only before SQLite opens it: SQLite gives its -wal and -shm files the
      // database file's mode, so all three stay private (DESIGN.md, security decisions).
      createPrivateFile(file);
    }
    const sqlite = new SqliteDatabase(file, { timeout: options.busyTimeoutMs ?? 5000 });
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.defaultSafeIntegers(false);
    return new Database(new Kysely<Tables>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) }), dialect);
  }

  /**
   * Applies pending migrations, one process at a time (see migrate.ts); throws with the
   * failing migration's name, or a StartupError for a database from a newer version.
   */
  async migrate(): Promise<MigrationResultSet> {
    return migrateExclusively(this.db as Kysely<unknown>, this.dialect, 'latest');
  }

  /** Reverts the latest migration (the result carries any error, as Kysely's does). */
  /** Migrations this version would apply; empty when the schema is current. */
  async pendingMigrations(): Promise<string[]> {
    return pendingMigrations(this.db as Kysely<unknown>, this.dialect);
  }

  async migrateDown(): Promise<MigrationResultSet> {
    return migrateExclusively(this.db as Kysely<unknown>, this.dialect, 'down').catch((error: unknown) => ({ error }));
  }

  /**
   * Runs `work` in one transaction. SQLite takes the write lock up front (BEGIN IMMEDIATE)
   * so two processes never deadlock upgrading a read lock; PostgreSQL retries a
   * serialization failure, a deadlock or a name taken in a folder (EntryNameTakenError) a
   * few times. Driver errors that mean "unreachable or
   * locked" come out as UnavailableError.
   */
  async transaction<T>(work: (tx: Transaction<Tables>) => Promise<T>): Promise<T> {
    try {
      if (this.dialect === 'sqlite') return await this.sqliteImmediate(work);
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.db.transaction().execute(work);
        } catch (error) {
          // A name taken meanwhile is retried too: the next attempt sees the winner.
          const translated = isEntryNameViolation(error) ? translateDatabaseError(error) : error;
          if (!isRetryable(translated) || attempt >= 5) throw translated;
        }
      }
    } catch (error) {
      throw translateDatabaseError(error);
    }
  }

  /**
   * A transaction that runs alone among the exclusive ones of every process sharing the
   * database, for start-up duties that check and then create (the default policy, the
   * built-in groups, the first administrator). SQLite: BEGIN IMMEDIATE already excludes
   * every other writer. PostgreSQL: a transaction-scoped advisory lock, so the second
   * process reads what the first committed.
   */
  async exclusive<T>(work: (tx: Transaction<Tables>) => Promise<T>): Promise<T> {
    return this.transaction(async (tx) => {
      if (this.dialect === 'postgres')
        await sql`select pg_advisory_xact_lock(${ADVISORY_LOCK_CLASS}, ${ADVISORY_LOCKS.startup})`.execute(tx);
      return work(tx);
    });
  }

  private async sqliteImmediate<T>(work: (tx: Transaction<Tables>) => Promise<T>): Promise<T> {
    return this.db.connection().execute(async (connection) => {
      await sql`begin immediate`.execute(connection);
      try {
        // A connection-bound Kysely behaves as a transaction for the work's queries.
        const result = await work(connection as unknown as Transaction<Tables>);
        await sql`commit`.execute(connection);
        return result;
      } catch (error) {
        await sql`rollback`.execute(connection).catch(() => undefined);
        throw error;
      }
    });
  }

  /** Runs a read outside a transaction, translating driver errors. */
  async read<T>(work: (db: Db) => Promise<T>): Promise<T> {
    try {
      return await work(this.db);
    } catch (error) {
      throw translateDatabaseError(error);
    }
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

/**
 * Kysely prepares every query anew; preparing costs more than running most of ours. Queries
 * on one connection run one at a time (Kysely serialises them), so a prepared statement can
 * be reused safely. The cache is bounded: a query text with values inlined would otherwise grow it.
 */
function withStatementCache(sqlite: SqliteDatabase.Database, limit = 500): SqliteDatabase.Database {
  const cache = new Map<string, SqliteDatabase.Statement>();
  const prepare = (text: string) => {
    let statement = cache.get(text);
    if (statement) {
      cache.delete(text);
    } else {
      statement = sqlite.prepare(text);
      if (cache.size >= limit) cache.delete(cache.keys().next().value!);
    }
    cache.set(text, statement);
    return statement;
  };
  return new Proxy(sqlite, {
    get(target, property) {
      if (property === 'prepare') return prepare;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Creates an empty file readable by its owner alone, unless it exists. */
function createPrivateFile(file: string): void {
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}
