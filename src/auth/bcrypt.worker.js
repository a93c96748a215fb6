'use strict';
// A piscina worker: bcrypt runs here, off the main thread, because bcryptjs is pure JavaScript and
// a hash at cost 12 would block every other request for about half a second.
// Plain JavaScript so that worker threads load it as it is, from src/ in tests and dist/ in production.
const os = require('node:os');
const bcrypt = require('bcryptjs');

// Hashing yields the CPU to the main thread: a login storm then slows logins, not every other
// request. On Linux, setpriority(0) applies to the calling thread only, which is this worker.
try {
  os.setPriority(10);
} catch {
  // Not permitted here: hashing runs at normal priority.
}

/**
 * `compare`: whether the password matches the first hash; the others are compared only to take their
 * time (see passwords.ts).
 * @param {{ kind: 'hash', password: string, cost: number } | { kind: 'compare', password: string, hashes: string[] }} task
 */
module.exports = function run(task) {
  if (task.kind === 'hash') return bcrypt.hashSync(task.password, task.cost);
  const [first, ...padding] = task.hashes;
  const matches = bcrypt.compareSync(task.password, first);
  for (const hash of padding) bcrypt.compareSync(task.password, hash);
  return matches;
};
