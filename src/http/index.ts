export { buildHttpServer, parseListen } from './server.js';
