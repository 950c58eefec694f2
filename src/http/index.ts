export { buildHttpServer, parseListen } from './server.js';
export { runPrimary, workerCount, workerIdentity, isClusterPrimary, SERVER_NODE_FLAGS, EXIT_CONFIGURATION } from './cluster.js';
export { drainOnSignals } from './drain.js';
