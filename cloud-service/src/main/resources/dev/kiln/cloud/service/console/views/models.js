// Per model and version: traffic, errors and latency percentiles over time, drawn from
// GET /models/{m}/series (polled every 5 s), and the shadow / A-B comparison of two versions.

import * as api from '../api.js';
import {h, replace, table, columnsOf, value} from '../dom.js';
import {lineChart, barChart} from '../chart.js';
import {poll, errorBox} from './common.js';

const WINDOWS = ['15m', '1h', '6h', '24h'];

export async function render(main, [model], session) {
  const list = (await api.get('/models')).items || [];
  if (!model && list.length) model = list[0].model;
  const known = list.find(m => m.model === model);
  const versions = known ? known.versions : [];
  const modelSelect = h('select', {id: 'model-select', name: 'model'},
    list.map(m => h('option', {value: m.model, selected: m.model === model}, m.model)));
  modelSelect.addEventListener('change', () => (location.hash = `#/models/${encodeURIComponent(modelSelect.value)}`));
  const since = h('select', {id: 'since-select', name: 'since'}, WINDOWS.map(w => h('option', {value: w, selected: w === '15m'}, `last ${w}`)));
  const charts = h('div', {class: 'charts', id: 'model-charts'});
  const errors = h('div');
  const compareBox = h('div', {id: 'compare-result'});

  replace(main,
    h('h1', {}, 'Models'),
    list.length ? null : h('p', {class: 'empty'}, 'No model has been deployed or captured yet.'),
    h('form', {class: 'filters', 'aria-label': 'Choose a model', onsubmit: e => e.preventDefault()},
      h('label', {for: 'model-select'}, 'Model', modelSelect),
      h('label', {for: 'since-select'}, 'Window', since)),
    errors,
    h('h2', {}, model ? `${model}: traffic, errors and latency` : 'Charts'),
    charts,
    h('h2', {}, 'Compare two versions (shadow or A/B)'),
    compareForm(model, versions, since, compareBox),
    compareBox);
  if (!model) return null;

  const draw = async () => {
    const series = (await api.get(`/models/${encodeURIComponent(model)}/series`, {since: since.value, step: step(since.value)})).items || [];
    replace(charts, drawCharts(series));
  };
  since.addEventListener('change', () => draw().catch(e => replace(errors, errorBox(e))));
  await draw();
  return poll(draw, 5000, errors);
}

/** About 90 points across the window, whatever its length. */
function step(window) {
  return {'15m': '10s', '1h': '40s', '6h': '4m', '24h': '16m'}[window] || '10s';
}

function drawCharts(items) {
  const pts = (it, key) => (it.points || []).map(p => ({t: Date.parse(p.t), v: p[key]}));
  const byVersion = key => items.map(it => ({name: it.version, points: pts(it, key)}));
  const out = [
    lineChart({id: 'chart-traffic', title: 'Traffic: requests per step', series: byVersion('requests')}),
    lineChart({id: 'chart-errors', title: 'Errors per step', series: byVersion('errors')}),
  ];
  for (const it of items) {
    out.push(lineChart({
      id: `chart-latency-${cssId(it.version)}`,
      title: `Latency of ${it.version}`,
      unit: 'ms',
      series: [['p50', 'p50Ms'], ['p95', 'p95Ms'], ['p99', 'p99Ms']].map(([name, key]) => ({name, points: pts(it, key)})),
    }));
  }
  return out;
}

function cssId(s) {
  return String(s).replace(/[^A-Za-z0-9_-]/g, '_');
}

function compareForm(model, versions, since, box) {
  const pick = (id, label, initial) => h('label', {for: id}, label,
    h('select', {id, name: id}, versions.map(v => h('option', {value: v, selected: v === initial}, v))));
  const form = h('form', {class: 'filters', id: 'compare-form', 'aria-label': 'Compare versions'},
    pick('compare-a', 'Version A (old)', versions[versions.length - 2] || versions[0]),
    pick('compare-b', 'Version B (new)', versions[versions.length - 1]),
    h('button', {type: 'submit', disabled: versions.length < 1}, 'Compare'));
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    try {
      const r = await api.get('/compare', {model, a: form.querySelector('#compare-a').value, b: form.querySelector('#compare-b').value, since: since.value});
      replace(box, comparison(r));
    } catch (e) {
      replace(box, errorBox(e));
    }
  });
  return form;
}

function comparison(r) {
  const parts = [];
  const a = r.agreement;
  if (a) {
    parts.push(h('dl', {class: 'figures', id: 'agreement'},
      h('dt', {}, 'Agreement'), h('dd', {}, a.rate === null || a.rate === undefined ? '–' : `${(a.rate * 100).toFixed(1)}%`),
      h('dt', {}, 'Method'), h('dd', {}, a.method === 'same-requests' ? 'same requests (shadow)' : a.method === 'class-mix' ? 'class mix (A/B)' : value(a.method)),
      h('dt', {}, 'Compared'), h('dd', {}, value(a.pairs)),
      a.meanTopScoreDelta !== undefined ? [h('dt', {}, 'Mean |top score difference|'), h('dd', {}, value(a.meanTopScoreDelta))] : null));
  }
  const rows = r.versions || r.items || [];
  if (rows.length) {
    parts.push(table('Per version', columnsOf(rows, ['version', 'role', 'predictions', 'requests', 'errors', 'errorRate', 'p50Ms', 'p95Ms']), rows));
    if (rows.some(x => typeof x.p95Ms === 'number')) {
      parts.push(barChart({id: 'chart-compare-p95', title: 'p95 latency per version', unit: 'ms',
        bars: rows.filter(x => typeof x.p95Ms === 'number').map(x => ({label: `${x.version} ${x.role || ''}`.trim(), value: x.p95Ms}))}));
    }
  }
  if (!parts.length) parts.push(h('pre', {}, JSON.stringify(r, null, 2)));
  return parts;
}
