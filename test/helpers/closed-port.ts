/** A port nothing listens on: taken from the system, then released. */
export { freePort as closedPort } from '../../src/lib/free-port';
