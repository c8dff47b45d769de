// Captured predictions, newest first, a page at a time (raw tensors stay in the store).

import * as api from '../api.js';
import {h, replace, table, columnsOf} from '../dom.js';
import {Pager, poll, errorBox} from './common.js';

export async function render(main) {
  const filters = {model: '', version: '', device: ''};
  const box = h('div', {id: 'captures'});
  const errors = h('div');
  const pager = new Pager('Capture pages',
    cursor => api.get('/captures', {...filters, limit: 100, cursor}),
    page => {
      const rows = page.items || [];
      replace(box, table('Captured predictions', columnsOf(rows, ['time', 'requestId', 'device', 'model', 'version', 'variant', 'latencyMs', 'outcome', 'shadow', 'prediction']), rows, 'No captured predictions match.'));
    });
  const input = (id, label) => h('label', {for: `capture-${id}`}, label, h('input', {id: `capture-${id}`, name: id, autocomplete: 'off'}));
  const form = h('form', {class: 'filters', 'aria-label': 'Filter captures'},
    input('model', 'Model'), input('version', 'Version'), input('device', 'Device'),
    h('button', {type: 'submit'}, 'Apply'));
  form.addEventListener('submit', ev => {
    ev.preventDefault();
    for (const k of Object.keys(filters)) filters[k] = form.querySelector(`#capture-${k}`).value.trim();
    pager.reset().catch(e => replace(errors, errorBox(e)));
  });
  replace(main, h('h1', {}, 'Captures'), form, errors, pager.element, box);
  await pager.reset();
  // Only the first page follows new arrivals; a later page would shift under the reader.
  return poll(() => (pager.index === 0 ? pager.refresh() : null), 5000, errors);
}
