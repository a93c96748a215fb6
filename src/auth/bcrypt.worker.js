'use strict';
// A piscina worker: bcrypt runs here, off the main thread, because bcryptjs is pure JavaScript and
// a hash at cost 12 would block every other request for about half a second.
// Plain JavaScript so that worker threads load it as it is, from src/ in tests and dist/ in production.
const bcrypt = require('bcryptjs');

/** @param {{ kind: 'hash', password: string, cost: number } | { kind: 'compare', password: string, hash: string }} task */
module.exports = function run(task) {
  return task.kind === 'hash' ? bcrypt.hashSync(task.password, task.cost) : bcrypt.compareSync(task.password, task.hash);
};
