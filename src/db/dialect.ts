export type SqlDialectName = 'sqlite' | 'postgres';

export function dialectOfUrl(url: string): SqlDialectName {
  return /^postgres(?:ql)?:\/\//.test(url) ? 'postgres' : 'sqlite';
}

/** The file path of an sqlite:PATH or file:PATH URL (":memory:" for an in-memory database). */
export function sqlitePathOfUrl(url: string): string {
  return url.replace(/^sqlite:(?:\/\/)?/, '').replace(/^file:(?:\/\/)?/, '');
}
