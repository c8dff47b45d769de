// Drift violations and field accuracy, from the service's monitor and quality code. Polled every
// 10 s. The rows' shape comes from the API; known numeric fields are also drawn as bars.

import * as api from '../api.js';
import {h, replace, table, columnsOf} from '../dom.js';
import {barChart} from '../chart.js';
import {poll, errorBox} from './common.js';

export async function render(main, params, session) {
  const models = ((await api.get('/models')).items || []).map(m => m.model);
  const modelSelect = h('select', {id: 'monitor-model', name: 'model'}, h('option', {value: ''}, 'All models'), models.map(m => h('option', {value: m}, m)));
  const since = h('select', {id: 'monitor-since', name: 'since'}, ['1h', '24h', '7d'].map(w => h('option', {value: w}, `last ${w}`)));
  const drift = h('div', {id: 'violations'});
  const quality = h('div', {id: 'quality'});
  const errors = h('div');
  replace(main,
    h('h1', {}, 'Monitoring'),
    h('form', {class: 'filters', 'aria-label': 'Monitoring filters', onsubmit: e => e.preventDefault()},
      h('label', {for: 'monitor-model'}, 'Model', modelSelect),
      h('label', {for: 'monitor-since'}, 'Window', since)),
    errors,
    h('h2', {}, 'Drift violations'),
    drift,
    h('h2', {}, 'Field accuracy'),
    quality);

  const load = async () => {
    const [v, q] = await Promise.all([
      api.get('/monitoring/violations', {model: modelSelect.value, since: since.value}),
      api.get('/monitoring/quality', {model: modelSelect.value}),
    ]);
    const violations = v.items || [];
    replace(drift,
      violations.length ? barChart({id: 'chart-drift', title: 'Drift score per violation', bars: violations
        .filter(x => typeof (x.score ?? x.value) === 'number')
        .slice(0, 20)
        .map(x => ({label: [x.model, x.version, x.feature ?? x.measure ?? x.output].filter(Boolean).join(' '), value: x.score ?? x.value}))}) : null,
      table('Drift violations', columnsOf(violations, ['time', 'model', 'version', 'device', 'measure', 'score', 'threshold']), violations, 'No drift over its threshold in this window.'));
    const rows = q.items || [];
    const acc = rows.filter(x => typeof x.accuracy === 'number');
    replace(quality,
      acc.length ? barChart({id: 'chart-accuracy', title: 'Field accuracy per version', unit: '%',
        bars: acc.map(x => ({label: [x.model, x.version].filter(Boolean).join('@'), value: x.accuracy * 100}))}) : null,
      table('Field accuracy', columnsOf(rows, ['model', 'version', 'labelled', 'accuracy']), rows, 'No labelled predictions yet (kiln data label, or POST /feedback on the agent).'));
  };
  for (const el of [modelSelect, since]) el.addEventListener('change', () => load().catch(e => replace(errors, errorBox(e))));
  await load();
  return poll(load, 10000, errors);
}
