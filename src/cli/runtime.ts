/**
 * Cumulus runs on a supported Node.js LTS: 20 reached end of life in April 2026, and native
 * modules (better-sqlite3) are built for the runtime that `npm install` puts in
 * node_modules/.bin. Started by another Node.js, the process would fail later with an
 * unreadable dlopen error, so say so at once.
 */
export const MIN_NODE_MAJOR = 24;

export function unsupportedRuntime(version: string = process.versions.node): string | null {
  const major = Number(version.split('.')[0]);
  if (major >= MIN_NODE_MAJOR) return null;
  return (
    `cumulus: Node.js ${version} is not supported; Cumulus runs on Node.js ${MIN_NODE_MAJOR} or newer. ` +
    'Start it through npm (npm start, npx cumulus), which runs the Node.js that npm install put in node_modules/.bin.'
  );
}
