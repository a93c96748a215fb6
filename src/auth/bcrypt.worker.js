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

/** @param {{ kind: 'hash', password: string, cost: number } | { kind: 'compare', password: string, hash: string }} task */
module.exports = function run(task) {
  return task.kind === 'hash' ? bcrypt.hashSync(task.password, task.cost) : bcrypt.compareSync(task.password, task.hash);
};
