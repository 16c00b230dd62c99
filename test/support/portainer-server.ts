export * from '../../src/sandbox/portainer-server.js';
