// The audit log: who did what, with which role, to what, when, and how it ended.

import * as api from '../api.js';
import {h, replace, table, columnsOf} from '../dom.js';
import {Pager, poll} from './common.js';

export async function render(main) {
  const box = h('div', {id: 'audit'});
  const errors = h('div');
  const pager = new Pager('Audit pages',
    cursor => api.get('/audit', {limit: 100, cursor}),
    page => {
      const rows = page.items || [];
      replace(box, table('Audit records, newest first', columnsOf(rows, ['time', 'who', 'role', 'action', 'target', 'outcome']), rows, 'Nothing recorded yet.'));
    });
  replace(main, h('h1', {}, 'Audit log'), errors, pager.element, box);
  await pager.reset();
  return poll(() => (pager.index === 0 ? pager.refresh() : null), 5000, errors);
}
