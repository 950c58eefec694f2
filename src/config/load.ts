import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ZodError } from 'zod';
import { configSchema, type Config } from './schema.js';

/** Raised when configuration is invalid; the message names every bad key. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Environment variables and the config keys they set. */
const ENVIRONMENT: Record<string, string> = {
  CUMULUS_DATA: 'dataDir',
  CUMULUS_LISTEN: 'listen',
  CUMULUS_DATABASE_URL: 'databaseUrl',
  CUMULUS_PUBLIC_URL: 'publicUrl',
  CUMULUS_LOG_LEVEL: 'logLevel',
  CUMULUS_TRUST_PROXY: 'trustProxy',
  CUMULUS_GC_GRACE_SECONDS: 'gc.graceSeconds',
  CUMULUS_STORAGE_INLINE_MAX_BYTES: 'storage.inlineMaxBytes',
  CUMULUS_ADMIN_EMAIL: 'initialAdmin.email',
  CUMULUS_ADMIN_PASSWORD: 'initialAdmin.password',
  CUMULUS_JWT_SECRET_FILE: 'auth.jwtSecretFile',
  CUMULUS_WORKERS: 'workers',
  CUMULUS_SHUTDOWN_GRACE_SECONDS: 'shutdownGraceSeconds',
  CUMULUS_TLS_CERT: 'tls.cert',
  CUMULUS_TLS_KEY: 'tls.key',
  CUMULUS_PHOTOS_SAFETY_DELAY_SECONDS: 'photos.safetyDelaySeconds',
};

export interface ConfigSources {
  /** Values from command-line flags, keyed by config key (dotted for nested keys). */
  readonly flags?: Record<string, unknown>;
  readonly env?: NodeJS.ProcessEnv;
  /** Explicit config file; otherwise CUMULUS_CONFIG, then DATA_DIR/config.json if present. */
  readonly file?: string;
}

/**
 * Builds the configuration once at start: defaults, then the JSON config file, then the
 * environment, then flags. The only reader of process.env and of the config file.
 */
export function loadConfig(sources: ConfigSources = {}): Config {
  const env = sources.env ?? process.env;
  const fromEnv: Record<string, unknown> = {};
  for (const [variable, key] of Object.entries(ENVIRONMENT)) {
    const value = env[variable];
    if (value !== undefined && value !== '') setDotted(fromEnv, key, parseEnvValue(key, value));
  }
  const flags: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(sources.flags ?? {})) {
    if (value !== undefined) setDotted(flags, key, value);
  }

  const dataDir = (flags.dataDir ?? fromEnv.dataDir ?? './data') as string;
  const explicitFile = sources.file ?? env.CUMULUS_CONFIG;
  const file = explicitFile ?? path.join(dataDir, 'config.json');
  const fromFile = readConfigFile(file, explicitFile !== undefined);

  const merged = deepMerge(deepMerge(fromFile, fromEnv), flags);
  try {
    const config = configSchema.parse(merged);
    return { ...config, dataDir: path.resolve(config.dataDir) };
  } catch (error) {
    if (error instanceof ZodError) throw new ConfigError(describeZodError(error));
    throw error;
  }
}

/** The database URL in force: the configured one, or SQLite in the data directory. */
export function databaseUrlOf(config: Config): string {
  return config.databaseUrl ?? `sqlite:${path.join(config.dataDir, 'cumulus.db')}`;
}

function readConfigFile(file: string, required: boolean): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(`Cannot read config file ${file}: ${(error as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error('the top level must be an object');
    }
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`Config file ${file} is not valid JSON: ${(error as Error).message}`);
  }
}

function parseEnvValue(key: string, value: string): unknown {
  if (key === 'trustProxy') {
    if (value === 'true') return true;
    if (value === 'false') return false;
  }
  return value;
}

function setDotted(target: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    node[part] ??= {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const existing = out[key];
    out[key] = isPlainObject(existing) && isPlainObject(value) ? deepMerge(existing, value) : value;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeZodError(error: ZodError): string {
  const lines = error.issues.map((issue) => {
    const key = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    return `  ${key}: ${issue.message}`;
  });
  return `Invalid configuration:\n${lines.join('\n')}`;
}
