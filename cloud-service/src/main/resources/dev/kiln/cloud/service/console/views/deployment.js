// One deployment: its state, the timeline of phases with each gate's figures, the devices with their
// states and reasons, and Cancel / Rollback for operators. Follows the deployment's event stream
// (read with fetch, so the token goes in a header) and re-reads the detail on each event.

import * as api from '../api.js';
import {h, replace, table, time, stateBadge, value, announce} from '../dom.js';
import {errorBox, poll} from './common.js';

const TERMINAL = new Set(['SUCCEEDED', 'PARTIALLY_SUCCEEDED', 'ROLLED_BACK', 'FAILED', 'CANCELLED', 'TIMED_OUT']);

export async function render(main, [id], session) {
  const head = h('div', {id: 'deployment-head'});
  const timeline = h('div', {id: 'timeline'});
  const devices = h('div', {id: 'deployment-devices'});
  const errors = h('div');
  const actions = h('div', {id: 'deployment-actions'});
  const live = h('p', {class: 'subtle', id: 'live-status'});
  replace(main,
    h('p', {}, h('a', {href: '#/deployments'}, '← All deployments')),
    h('h1', {}, 'Deployment ', h('code', {}, id)),
    head,
    actions,
    errors,
    live,
    h('h2', {}, 'Timeline'),
    timeline,
    h('h2', {}, 'Devices'),
    devices);

  let lastState = null;
  const refresh = async () => {
    const d = await api.get(`/deployments/${encodeURIComponent(id)}`, {deviceLimit: 200});
    showHead(head, d);
    // Rebuilt only when the state moves, so a focused button keeps its focus between events.
    if (lastState !== d.state) showActions(actions, d, id, session, errors);
    replace(timeline, phasesList(d.phases || []));
    replace(devices, table('Devices in this deployment', [
      {label: 'Device', cell: x => x.id},
      {label: 'State', cell: x => stateBadge(x.state)},
      {label: 'Version', cell: x => x.version || '–'},
      {label: 'Reason', cell: x => x.reason || ''},
    ], d.devices || [], 'No device targeted yet.'),
    d.nextDeviceCursor ? h('p', {class: 'hint'}, `The first ${(d.devices || []).length} devices; the counts above cover all of them.`) : null);
    if (lastState !== null && lastState !== d.state) announce(`Deployment ${id} is now ${d.state}`);
    lastState = d.state;
    return d;
  };

  const first = await refresh();
  const aborter = new AbortController();
  let stopPolling = null;
  if (!TERMINAL.has(first.state)) {
    live.textContent = 'Following live updates…';
    api.follow(`/deployments/${encodeURIComponent(id)}/events`, () => refresh().catch(e => replace(errors, errorBox(e))), aborter.signal)
      .then(() => {
        live.textContent = 'Live updates ended.';
        return refresh();
      })
      .catch(e => {
        if (aborter.signal.aborted) return;
        // The stream broke (a restart, a proxy): fall back to polling so the page stays current.
        live.textContent = 'Live stream lost; polling every 3 s.';
        stopPolling = poll(refresh, 3000, errors);
      });
  }
  return () => {
    aborter.abort();
    if (stopPolling) stopPolling();
  };
}

function showHead(head, d) {
  replace(head, h('dl', {class: 'figures'},
    h('dt', {}, 'State'), h('dd', {id: 'deployment-state', 'data-state': d.state}, stateBadge(d.state)),
    h('dt', {}, 'Model'), h('dd', {}, `${d.model}@${d.version}`),
    h('dt', {}, 'Strategy'), h('dd', {}, d.strategy),
    h('dt', {}, 'Devices'), h('dd', {}, Object.entries(d.counts || {}).map(([k, n]) => `${k} ${n}`).join(', ') || '–'),
    d.reason ? [h('dt', {}, 'Reason'), h('dd', {id: 'deployment-reason'}, d.reason)] : null,
    h('dt', {}, 'Created'), h('dd', {}, time(d.createdAt)),
    h('dt', {}, 'Updated'), h('dd', {}, time(d.updatedAt))));
}

function showActions(box, d, id, session, errors) {
  const allowed = session.can('operator');
  const running = !TERMINAL.has(d.state);
  const act = (label, path, cls, enabled) => h('button', {
    type: 'button', class: cls, id: `${path}-button`, disabled: !allowed || !enabled,
    'aria-describedby': allowed ? null : 'actions-denied',
    onclick: async ev => {
      ev.target.disabled = true;
      try {
        const r = await api.post(`/deployments/${encodeURIComponent(id)}/${path}`);
        announce(`${label} requested (${r.requestId})`);
        replace(errors, h('p', {class: 'notice', role: 'status'}, `${label} requested (request ${r.requestId}).`));
      } catch (e) {
        replace(errors, errorBox(e));
        ev.target.disabled = false;
      }
    },
  }, label);
  replace(box, h('div', {class: 'toolbar'},
    act('Cancel', 'cancel', 'secondary', running),
    act('Roll back', 'rollback', 'danger', d.state !== 'ROLLED_BACK' && d.state !== 'ROLLING_BACK'),
    allowed ? null : h('span', {class: 'hint', id: 'actions-denied'}, `Cancel and roll back need operator or admin; your role is ${session.who?.role}.`)));
}

function phasesList(phases) {
  if (!phases.length) return h('p', {class: 'empty'}, 'No phase has started yet.');
  return h('ol', {class: 'timeline', 'aria-label': 'Phases'}, phases.map(p => {
    const gate = p.gate;
    const cls = gate ? (gate.passed ? 'passed' : 'failed') : '';
    return h('li', {class: cls, 'data-phase': p.name},
      h('strong', {}, p.name), ' ', stateBadge(p.state),
      h('div', {class: 'subtle'}, time(p.startedAt), p.endedAt ? [' → ', time(p.endedAt)] : null),
      gate ? h('div', {class: 'gate'},
        'Gate ', stateBadge(gate.passed ? 'passed' : 'failed'), gate.reason ? ` ${gate.reason}` : '',
        h('dl', {class: 'figures'}, Object.entries(gate.figures || {}).map(([k, v]) => [h('dt', {}, k), h('dd', {}, value(v))]))) : null);
  }));
}
