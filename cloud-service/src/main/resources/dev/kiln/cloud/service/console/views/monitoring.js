// Drift violations and field accuracy, from the service's monitor and quality code. Polled every
// 10 s. The rows' shape comes from the API; known numeric fields are also drawn as bars.

import * as api from '../api.js';
import {h, replace, table, columnsOf} from '../dom.js';
import {barChart} from '../chart.js';
import {poll, errorBox} from './common.js';

export async function render(main, params, session) {
  const models = ((await api.get('/models')).items || []).map(m => m.model);
  // Field accuracy is per model, so the page always has one chosen (the first by default).
  const modelSelect = h('select', {id: 'monitor-model', name: 'model'}, models.map(m => h('option', {value: m}, m)));
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
    if (!modelSelect.value) {
      replace(drift, h('p', {class: 'empty'}, 'No model has been deployed or captured yet.'));
      return;
    }
    const [v, q] = await Promise.all([
      api.get('/monitoring/violations', {model: modelSelect.value, since: since.value}),
      api.get('/monitoring/quality', {model: modelSelect.value}),
    ]);
    const violations = v.items || [];
    replace(drift,
      violations.length ? barChart({id: 'chart-drift', title: 'Drift score per violation', bars: violations
        .filter(x => typeof (x.score ?? x.value) === 'number')
        .slice(0, 20)
        .map(x => ({label: [x.version, x.device, x.feature, x.measure].filter(Boolean).join(' '), value: x.score ?? x.value}))}) : null,
      table('Drift violations', columnsOf(violations, ['detectedAt', 'model', 'scope', 'version', 'device', 'feature', 'measure', 'value', 'threshold', 'records']), violations, 'No drift over its threshold in this window.'));
    const rows = q.items || [];
    const acc = rows.filter(x => typeof x.accuracy === 'number');
    replace(quality,
      acc.length ? barChart({id: 'chart-accuracy', title: 'Field accuracy per version', unit: '%',
        bars: acc.map(x => ({label: `${q.model ?? x.model ?? ''}@${x.version}`, value: x.accuracy * 100}))}) : null,
      table(`Field accuracy of ${q.model ?? modelSelect.value}`, columnsOf(rows, ['version', 'labelled', 'accuracy', 'valued', 'mae', 'rmse']), rows, 'No labelled predictions yet (kiln data label, or POST /feedback on the agent).'));
  };
  for (const el of [modelSelect, since]) el.addEventListener('change', () => load().catch(e => replace(errors, errorBox(e))));
  await load();
  return poll(load, 10000, errors);
}
