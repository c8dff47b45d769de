// Small hand-written SVG charts: lines over time (latency percentiles, traffic, errors) and
// horizontal bars (counts). No library: the console loads nothing from the network. Each chart is a
// <figure> whose caption names it, whose SVG has a text summary for screen readers, and whose every
// data point is a <circle class="point"> with a <title> for a hover.

import {h} from './dom.js';

const NS = 'http://www.w3.org/2000/svg';
const W = 600;
const H = 220;
const M = {left: 52, right: 14, top: 12, bottom: 30};

function s(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  for (const c of children) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : String(c));
  return el;
}

/** A step of 1, 2 or 5 times a power of ten giving about `count` ticks up to `max`. */
function niceStep(max, count) {
  const raw = max / count;
  const pow = Math.pow(10, Math.floor(Math.log10(raw)));
  const f = raw / pow;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * pow;
}

/** HH:MM, or HH:MM:SS when the axis spans less than ten minutes (labels would repeat). */
function clock(ms, span = Infinity) {
  const d = new Date(ms);
  const p = n => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}` + (span < 600_000 ? `:${p(d.getSeconds())}` : '');
}

function fmt(v) {
  return Math.abs(v) >= 100 || Number.isInteger(v) ? String(Math.round(v)) : v.toFixed(Math.abs(v) < 1 ? 2 : 1);
}

/**
 * series: [{name, points: [{t: epoch ms, v: number|null}]}]. A null value breaks the line (no
 * data in that step), it is not drawn as zero.
 */
export function lineChart({id, title, unit, series}) {
  const all = series.flatMap(x => x.points.filter(p => p.v !== null && p.v !== undefined && isFinite(p.v)));
  const captionId = `${id}-caption`;
  const descId = `${id}-desc`;
  const figure = h('figure', {class: 'chart', id, 'data-points': all.length},
    h('figcaption', {id: captionId}, title + (unit ? ` (${unit})` : '')));
  if (!all.length) {
    figure.append(h('p', {class: 'empty'}, 'No data in this window yet.'));
    return figure;
  }
  let t0 = Math.min(...all.map(p => p.t));
  let t1 = Math.max(...all.map(p => p.t));
  if (t0 === t1) {
    t0 -= 30_000;
    t1 += 30_000;
  }
  const vmax = Math.max(...all.map(p => p.v));
  const step = vmax > 0 ? niceStep(vmax, 4) : 1;
  const top = Math.max(step, Math.ceil(vmax / step) * step);
  const x = t => M.left + ((t - t0) / (t1 - t0)) * (W - M.left - M.right);
  const y = v => H - M.bottom - (v / top) * (H - M.top - M.bottom);

  const summary = series
    .filter(x => x.points.some(p => p.v !== null && p.v !== undefined))
    .map(x => {
      const vals = x.points.filter(p => p.v !== null && p.v !== undefined).map(p => p.v);
      return `${x.name}: latest ${fmt(vals[vals.length - 1])}, max ${fmt(Math.max(...vals))}`;
    })
    .join('; ');
  const svg = s('svg', {class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': `${captionId} ${descId}`},
    s('desc', {id: descId}, `${all.length} points from ${clock(t0, t1 - t0)} to ${clock(t1, t1 - t0)}. ${summary}.`));

  const grid = s('g', {class: 'grid'});
  const yAxis = s('g', {class: 'axis'});
  for (let v = 0; v <= top + step / 2; v += step) {
    grid.append(s('line', {x1: M.left, x2: W - M.right, y1: y(v), y2: y(v)}));
    yAxis.append(s('text', {x: M.left - 6, y: y(v) + 4, 'text-anchor': 'end'}, fmt(v)));
  }
  const xAxis = s('g', {class: 'axis'},
    s('line', {x1: M.left, x2: W - M.right, y1: H - M.bottom, y2: H - M.bottom}),
    s('line', {x1: M.left, x2: M.left, y1: M.top, y2: H - M.bottom}));
  for (let i = 0; i <= 4; i++) {
    const t = t0 + ((t1 - t0) * i) / 4;
    xAxis.append(s('text', {x: x(t), y: H - M.bottom + 16, 'text-anchor': i === 0 ? 'start' : i === 4 ? 'end' : 'middle'}, clock(t, t1 - t0)));
  }
  svg.append(grid, yAxis, xAxis);

  series.forEach((ser, i) => {
    const colour = `c${i % 6}`;
    let d = '';
    let pen = 'M';
    const dots = s('g', {class: 'points'});
    for (const p of ser.points) {
      if (p.v === null || p.v === undefined || !isFinite(p.v)) {
        pen = 'M';
        continue;
      }
      d += `${pen}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)} `;
      pen = 'L';
      dots.append(s('circle', {class: `point ${colour}`, cx: x(p.t).toFixed(1), cy: y(p.v).toFixed(1), r: 2.5},
        s('title', {}, `${ser.name} at ${new Date(p.t).toLocaleTimeString()}: ${fmt(p.v)}${unit ? ' ' + unit : ''}`)));
    }
    svg.append(s('path', {class: `series ${colour}`, d: d.trim(), 'data-series': ser.name}), dots);
  });
  figure.append(svg, h('ul', {class: 'legend', 'aria-hidden': 'true'},
    series.map((ser, i) => h('li', {}, h('span', {class: `swatch c${i % 6}`}), ser.name))));
  return figure;
}

/** bars: [{label, value}], drawn horizontally so long labels (model@version) stay readable. */
export function barChart({id, title, unit, bars}) {
  const captionId = `${id}-caption`;
  const figure = h('figure', {class: 'chart', id, 'data-points': bars.length},
    h('figcaption', {id: captionId}, title + (unit ? ` (${unit})` : '')));
  if (!bars.length) {
    figure.append(h('p', {class: 'empty'}, 'Nothing to show yet.'));
    return figure;
  }
  const row = 24;
  const left = 170;
  const height = bars.length * row + 10;
  const max = Math.max(...bars.map(b => b.value), 0) || 1;
  const width = v => (v / max) * (W - left - 70);
  const svg = s('svg', {class: 'chart bars', viewBox: `0 0 ${W} ${height}`, role: 'img', 'aria-labelledby': captionId},
    s('desc', {}, bars.map(b => `${b.label}: ${fmt(b.value)}`).join('; ')));
  bars.forEach((b, i) => {
    const yy = 5 + i * row;
    svg.append(
      s('text', {x: left - 8, y: yy + 15, 'text-anchor': 'end'}, b.label.length > 26 ? b.label.slice(0, 25) + '…' : b.label),
      s('rect', {class: `point c${i % 6}`, x: left, y: yy + 3, width: Math.max(1, width(b.value)).toFixed(1), height: row - 8},
        s('title', {}, `${b.label}: ${fmt(b.value)}${unit ? ' ' + unit : ''}`)),
      s('text', {x: left + width(b.value) + 6, y: yy + 15}, fmt(b.value)));
  });
  figure.append(svg);
  return figure;
}
