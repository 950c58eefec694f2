// postinstall: make sure native modules were built for the Node.js that runs Cumulus.
//
// `npm install` may run on an older system Node.js (Debian 12 ships 18, images often 20),
// while Cumulus runs on the Node.js 24 LTS that the npm registry's `node-linux-<arch>`
// package puts in node_modules/.bin (npm scripts put that folder first on PATH, so this
// script already runs on it). A native module compiled by the older Node.js fails to load
// with ERR_DLOPEN_FAILED; rebuild it here, against the headers the runtime package ships.
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import path from 'node:path';

const NATIVE = ['better-sqlite3'];

/**
 * Loads the module in a fresh process: a library that failed its version check stays mapped
 * in the process that tried it, so a second try in the same process sees the old build.
 */
function loads(name) {
  const probe = `const D = require(${JSON.stringify(name)}); new D(':memory:').close();`;
  const result = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
  return result.status === 0 || !result.stderr.includes('ERR_DLOPEN_FAILED');
}

const stale = NATIVE.filter((name) => !loads(name));
if (stale.length === 0) process.exit(0);

const nodedir = path.dirname(path.dirname(realpathSync(process.execPath)));
console.log(`Rebuilding ${stale.join(', ')} for Node.js ${process.version} (headers in ${nodedir})`);
const result = spawnSync('npm', ['rebuild', ...stale], {
  stdio: 'inherit',
  env: { ...process.env, npm_config_nodedir: nodedir },
});
if (result.status !== 0 || stale.some((name) => !loads(name))) {
  console.error(`Could not build ${stale.join(', ')} for Node.js ${process.version}.`);
  process.exit(1);
}
