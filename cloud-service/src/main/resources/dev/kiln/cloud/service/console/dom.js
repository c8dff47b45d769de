// Building DOM nodes without innerHTML: every value the API returns is set as text, never parsed as
// markup, so a device id or a reason cannot inject anything into the page.

/** h('td', {class: 'num'}, '3') -> <td class="num">3</td>. Null children are skipped. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A table with a caption, header cells and one row per item; cells are (item) => node|text. */
export function table(caption, columns, items, empty) {
  if (!items.length) return h('p', {class: 'empty'}, empty || 'Nothing yet.');
  return h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, columns.map(c => h('th', {scope: 'col', class: c.num ? 'num' : null}, c.label)))),
    h('tbody', {}, items.map(item =>
      h('tr', {}, columns.map(c => h('td', {class: c.num ? 'num' : null}, c.cell(item)))))));
}

/** Columns for rows whose shape the page does not know in advance (monitoring, captures, audit). */
export function columnsOf(items, preferred = []) {
  const keys = [];
  for (const k of preferred) if (items.some(i => i && k in i)) keys.push(k);
  for (const i of items.slice(0, 20)) for (const k of Object.keys(i || {})) if (!keys.includes(k)) keys.push(k);
  return keys.map(k => ({
    label: k,
    num: items.some(i => typeof i?.[k] === 'number'),
    cell: i => (ISO.test(i?.[k]) ? time(i[k]) : value(i?.[k])),
  }));
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d/;

export function value(v) {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 1 ? 4 : 2);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function pct(v) {
  return v === null || v === undefined ? '–' : (v * 100).toFixed(1) + '%';
}

export function ms(v) {
  return v === null || v === undefined ? '–' : v.toFixed(1);
}

/** ISO time as local "YYYY-MM-DD HH:MM:SS", the full value kept for a hover and screen readers. */
export function time(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  if (isNaN(d)) return String(iso);
  const p = n => String(n).padStart(2, '0');
  const text = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  return h('time', {datetime: iso, title: iso}, text);
}

const OK = new Set(['SUCCEEDED', 'ACTIVE', 'PROMOTED', 'DONE', 'passed']);
const BAD = new Set(['FAILED', 'ROLLED_BACK', 'ROLLING_BACK', 'TIMED_OUT', 'CANCELLED', 'REFUSED', 'failed']);
const RUN = new Set(['NEW', 'QUEUED', 'IN_PROGRESS', 'BAKING', 'PENDING', 'SENT']);

export function stateBadge(state) {
  const s = String(state ?? '–');
  const kind = OK.has(s) ? 'ok' : BAD.has(s) ? 'bad' : RUN.has(s) ? 'run' : 'other';
  return h('span', {class: `state state-${kind}`, 'data-state': s}, s);
}

/** Says something to screen readers through the page's one polite live region. */
export function announce(text) {
  const region = document.getElementById('announcer');
  if (region) region.textContent = text;
}
