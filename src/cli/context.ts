import { pino, type Logger } from 'pino';
import type { Command } from 'commander';
import { createApp, type App } from '../app.js';
import { loadConfig, type Config } from '../config/index.js';
import { isDomainError } from '../core/index.js';

/** Options every command takes (they may stand before or after the command name). */
export interface GlobalOptions {
  data?: string;
  config?: string;
  databaseUrl?: string;
  logLevel?: string;
  json?: boolean;
}

export function configFrom(command: Command, flags: Record<string, unknown> = {}): Config {
  const options = command.optsWithGlobals<GlobalOptions>();
  return loadConfig({
    file: options.config,
    flags: { dataDir: options.data, databaseUrl: options.databaseUrl, logLevel: options.logLevel, ...flags },
  });
}

/** A logger for commands other than serve: warnings and worse, to stderr. */
export function cliLogger(config: Config): Logger {
  const level = config.logLevel === 'info' ? 'warn' : config.logLevel;
  return pino({ level }, pino.destination(2));
}

/** Opens the app for a one-shot command and closes it afterwards. */
export async function withApp<T>(command: Command, work: (app: App, json: boolean) => Promise<T>): Promise<T> {
  const config = configFrom(command);
  const app = await createApp(config, { logger: cliLogger(config), guardMigrations: true });
  try {
    return await work(app, Boolean(command.optsWithGlobals<GlobalOptions>().json));
  } finally {
    await app.close();
  }
}

/** Prints a result: JSON with --json, otherwise the human form. */
export function output(json: boolean, value: unknown, human: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
}

/** Prints rows as aligned columns. */
export function table(rows: Array<Record<string, string | number>>): string {
  if (rows.length === 0) return '(none)';
  const headers = Object.keys(rows[0]!);
  const widths = headers.map((h) => Math.max(h.length, ...rows.map((row) => String(row[h]).length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map((row) => line(headers.map((h) => String(row[h]))))].join('\n');
}

/**
 * Progress on stderr: a rewritten line on a terminal, a line every few seconds otherwise,
 * so that stdout stays clean for --json.
 */
export function progressReporter(): (message: string) => void {
  const tty = process.stderr.isTTY;
  let last = 0;
  return (message) => {
    const now = Date.now();
    if (tty) process.stderr.write(`\r\x1b[K${message}`);
    else if (now - last >= 2000) {
      process.stderr.write(`${message}\n`);
      last = now;
    }
  };
}

export function endProgress(): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
}

/** Exit codes: 1 for a refused operation, 2 for bad usage or configuration, 3 for an internal error. */
export function reportError(error: unknown, json: boolean): number {
  const configuration = error instanceof Error && (error.name === 'ConfigError' || error.name === 'StartupError');
  const code = isDomainError(error) ? error.code : configuration ? 'CONFIG' : 'INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  if (json) process.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`);
  process.stderr.write(`cumulus: ${message}\n`);
  // An internal error is a bug: its stack is what a report needs.
  if (code === 'INTERNAL' && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return code === 'CONFIG' || code === 'INVALID_ARGUMENT' || code === 'INVALID_NAME' ? 2 : code === 'INTERNAL' ? 3 : 1;
}

/** "10G", "500MiB", "1073741824", "unlimited" -> bytes or null. */
export function parseSize(text: string): number | null {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'unlimited' || trimmed === 'none' || trimmed === '0') return trimmed === '0' ? 0 : null;
  const match = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b)?$/.exec(trimmed);
  if (!match)
    throw Object.assign(new Error(`"${text}" is not a size (examples: 500M, 10G, 1073741824, unlimited)`), { name: 'ConfigError' });
  const power = ' kmgtp'.indexOf(match[2] || ' ');
  return Math.round(Number(match[1]) * 1024 ** power);
}

export function formatSize(bytes: number | null): string {
  if (bytes === null) return 'unlimited';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
