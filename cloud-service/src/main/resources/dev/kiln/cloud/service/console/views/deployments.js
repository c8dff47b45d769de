// Deployments: the list (polled) and the "New deployment" form. Deploying needs the operator role:
// for a viewer the button is disabled with the reason beside it, and should a request be sent
// anyway, the API's 403 is shown as it came.

import * as api from '../api.js';
import {h, replace, table, time, stateBadge} from '../dom.js';
import {Pager, poll, errorBox} from './common.js';

export async function render(main, params, session) {
  const listBox = h('div', {id: 'deployment-list'});
  const errors = h('div');
  const pager = new Pager('Deployment pages',
    cursor => api.get('/deployments', {limit: 50, cursor}),
    page => replace(listBox, deploymentsTable(page.items)));
  const form = await deployForm(session);
  replace(main,
    h('h1', {}, 'Deployments'),
    form,
    h('h2', {}, 'Recent deployments'),
    errors,
    pager.element,
    listBox);
  await pager.reset();
  return poll(() => pager.refresh(), 3000, errors);
}

function deploymentsTable(items) {
  return table('Deployments, newest first', [
    {label: 'Deployment', cell: d => h('a', {href: `#/deployments/${encodeURIComponent(d.id)}`}, d.id)},
    {label: 'Model', cell: d => `${d.model}@${d.version}`},
    {label: 'Strategy', cell: d => d.strategy},
    {label: 'State', cell: d => stateBadge(d.state)},
    {label: 'Devices', cell: d => Object.entries(d.counts || {}).map(([k, n]) => `${k} ${n}`).join(', ') || '–'},
    {label: 'Reason', cell: d => d.reason || ''},
    {label: 'Updated', cell: d => time(d.updatedAt)},
  ], items, 'No deployments yet.');
}

async function deployForm(session) {
  const allowed = session.can('operator');
  let artifacts = [];
  try {
    artifacts = (await api.get('/artifacts')).items || [];
  } catch (e) {
    // The form still works with a path typed in.
  }
  const field = (id, label, attrs, hint) => h('label', {for: id}, label,
    h('input', {id, name: id, ...attrs, 'aria-describedby': hint ? `${id}-hint` : null}),
    hint ? h('span', {class: 'hint', id: `${id}-hint`}, hint) : null);
  const result = h('div', {id: 'deploy-result', 'aria-live': 'polite'});
  const button = h('button', {type: 'submit', id: 'deploy-button', disabled: !allowed, 'aria-describedby': allowed ? null : 'deploy-denied'}, 'Deploy');
  const form = h('form', {id: 'deploy-form', 'aria-labelledby': 'deploy-legend'},
    h('fieldset', {},
      h('legend', {id: 'deploy-legend'}, 'New deployment'),
      h('div', {class: 'form-grid'},
        field('artifact', 'Artifact', {required: true, list: 'artifact-list', autocomplete: 'off', value: artifacts[0]?.id || ''},
          'An artifact id from the list, or the path of a .kiln file on the service\'s machine.'),
        h('datalist', {id: 'artifact-list'}, artifacts.map(a => h('option', {value: a.id}, `${a.model}@${a.version} ${a.target || ''}`))),
        field('strategy', 'Strategy', {required: true, value: 'canary:10%'},
          'all-at-once, canary:10%, canary:50:5s, blue-green, shadow, ab:50,50, bandit:…'),
        field('target', 'Target', {required: true, value: 'all'}, 'all, group:NAME, or device ids separated by commas'),
        field('maxErrorRate', 'Gate: highest error rate', {type: 'number', step: 'any', min: 0, max: 1, value: '0.05'}),
        field('maxP95Ratio', 'Gate: highest p95 ratio to the old version', {type: 'number', step: 'any', min: 0, value: '1.5'})),
      h('div', {class: 'toolbar'},
        button,
        allowed ? null : h('span', {id: 'deploy-denied', class: 'hint'},
          `Your token's role is ${session.who?.role}: deploying needs operator or admin.`))),
    result);
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    result.replaceChildren();
    const value = id => form.querySelector(`#${id}`).value.trim();
    const gates = {};
    for (const g of ['maxErrorRate', 'maxP95Ratio']) if (value(g) !== '') gates[g] = Number(value(g));
    button.disabled = true;
    try {
      const r = await api.post('/deployments', {artifact: value('artifact'), strategy: value('strategy'), target: value('target'), gates});
      replace(result, h('p', {class: 'notice', role: 'status'}, 'Queued as ',
        h('a', {href: `#/deployments/${encodeURIComponent(r.deploymentId)}`, id: 'new-deployment'}, r.deploymentId),
        ` (request ${r.requestId}, ${r.state}).`));
    } catch (e) {
      replace(result, errorBox(e));
    } finally {
      button.disabled = !allowed;
    }
  });
  return form;
}
