export { buildHttpServer, parseListen } from './server.js';
export { runPrimary, workerCount, workerIdentity, isClusterPrimary, SERVER_NODE_FLAGS, EXIT_CONFIGURATION } from './cluster.js';
export { drainOnSignals } from './drain.js';
export { certificateFingerprint, loadTlsPair, tlsFilesFrom, watchTlsFiles } from './tls.js';
export { ensureSelfSignedCertificate } from './self-signed.js';
