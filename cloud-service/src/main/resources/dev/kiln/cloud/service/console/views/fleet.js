// The fleet at a glance: summary tiles, then the device table a page at a time (keyset paging from
// the API), filtered by group and status. Polls every 5 s. The first rendered page is marked for
// the browser benchmark (performance mark "kiln:fleet-first-page").

import * as api from '../api.js';
import {h, replace, table, time, pct, ms} from '../dom.js';
import {Pager, poll, errorBox} from './common.js';

const PAGE = 100;

export async function render(main, params, session) {
  const filters = {group: '', status: ''};
  const tiles = h('ul', {class: 'tiles', id: 'fleet-tiles', 'aria-label': 'Fleet summary'});
  const groupSelect = h('select', {id: 'filter-group', name: 'group'}, h('option', {value: ''}, 'All groups'));
  const statusSelect = h('select', {id: 'filter-status', name: 'status'},
    h('option', {value: ''}, 'Any status'), h('option', {value: 'online'}, 'Online'), h('option', {value: 'offline'}, 'Offline'));
  const tableBox = h('div', {id: 'devices'});
  const errors = h('div');
  const updated = h('p', {class: 'subtle', id: 'fleet-updated'});
  let firstPage = true;

  const pager = new Pager('Device pages',
    cursor => api.get('/devices', {...filters, limit: PAGE, cursor}),
    page => {
      replace(tableBox, devicesTable(page.items));
      updated.textContent = `Updated ${new Date().toLocaleTimeString()}`;
      if (firstPage) {
        firstPage = false;
        performance.mark('kiln:fleet-first-page');
      }
    });

  const onFilter = () => {
    filters.group = groupSelect.value;
    filters.status = statusSelect.value;
    pager.reset().catch(e => replace(errors, errorBox(e)));
  };
  groupSelect.addEventListener('change', onFilter);
  statusSelect.addEventListener('change', onFilter);

  replace(main,
    h('h1', {}, 'Fleet'),
    tiles,
    h('form', {class: 'filters', 'aria-label': 'Filter devices', onsubmit: e => e.preventDefault()},
      h('label', {for: 'filter-group'}, 'Group', groupSelect),
      h('label', {for: 'filter-status'}, 'Status', statusSelect)),
    errors,
    pager.element,
    tableBox,
    updated);

  const summary = () => api.get('/fleet/summary').then(s => showSummary(s, tiles, groupSelect));
  await Promise.all([summary(), pager.reset()]);
  return poll(() => Promise.all([summary(), pager.refresh()]), 5000, errors);
}

function showSummary(s, tiles, groupSelect) {
  const tile = (k, n, id) => h('li', {class: 'tile', id}, h('span', {class: 'n'}, n), h('span', {class: 'k'}, k));
  const versions = Object.entries(s.versions || {});
  replace(tiles,
    tile('devices', s.devices, 'tile-devices'),
    tile('online', s.online, 'tile-online'),
    tile('offline', s.offline, 'tile-offline'),
    versions.slice(0, 4).map(([v, n]) => tile(v, n)),
    versions.length > 4 ? tile('more versions', versions.length - 4) : null);
  const known = new Set([...groupSelect.options].map(o => o.value));
  for (const g of s.groups || []) if (!known.has(g)) groupSelect.append(h('option', {value: g}, g));
}

function devicesTable(items) {
  return table('Devices', [
    {label: 'Device', cell: d => d.id},
    {label: 'Online', cell: d => h('span', {class: d.online ? 'online' : 'offline'}, d.online ? 'online' : 'offline')},
    {label: 'Groups', cell: d => (d.groups || []).join(', ')},
    {label: 'Versions', cell: d => (d.models || []).map(m => `${m.name}@${m.version}`).join(', ') || '–'},
    {label: 'Error rate', num: true, cell: d => pct(d.errorRate)},
    {label: 'p95 ms', num: true, cell: d => ms(d.p95Ms)},
    {label: 'Last seen', cell: d => time(d.lastSeen)},
  ], items, 'No devices match.');
}
