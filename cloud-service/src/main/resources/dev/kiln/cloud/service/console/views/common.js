// Pieces several views share: error boxes, polling, and the cursor pager.

import {ApiError} from '../api.js';
import {h, replace} from '../dom.js';

/** The API's error, with its "fix" line, as an alert that screen readers announce. */
export function errorBox(e) {
  const status = e instanceof ApiError ? `${e.status}: ` : '';
  return h('div', {class: 'alert', role: 'alert'},
    h('strong', {}, status + (e.message || String(e))),
    e.fix ? h('div', {}, e.fix) : null);
}

/** Runs fn now and then every `ms` until stopped; a failed run shows in `errors` and polling goes on. */
export function poll(fn, ms, errors) {
  let timer = null;
  let stopped = false;
  const tick = async () => {
    try {
      await fn();
      if (errors) errors.replaceChildren();
    } catch (e) {
      if (errors && !stopped) replace(errors, errorBox(e));
    }
    if (!stopped) timer = setTimeout(tick, ms);
  };
  timer = setTimeout(tick, ms);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/**
 * Keyset paging over an API list: remembers the cursors of the pages already seen so Previous goes
 * back without offsets. load(cursor) resolves to {items, nextCursor}.
 */
export class Pager {
  constructor(label, load, onPage) {
    this.label = label;
    this.load = load;
    this.onPage = onPage;
    this.cursors = [null];
    this.index = 0;
    this.next = null;
    this.prevButton = h('button', {type: 'button', class: 'secondary', onclick: () => this.go(this.index - 1)}, 'Previous page');
    this.nextButton = h('button', {type: 'button', class: 'secondary', onclick: () => this.go(this.index + 1)}, 'Next page');
    this.status = h('span', {class: 'subtle'});
    this.element = h('nav', {class: 'pager', 'aria-label': label}, this.prevButton, this.status, this.nextButton);
  }

  /** Back to the first page (after a filter change). */
  reset() {
    this.cursors = [null];
    return this.go(0);
  }

  /** Reloads the page on screen (polling). */
  refresh() {
    return this.go(this.index);
  }

  async go(index) {
    if (index < 0 || index >= this.cursors.length + (this.next ? 1 : 0)) return;
    if (index === this.cursors.length) this.cursors.push(this.next);
    const page = await this.load(this.cursors[index]);
    this.index = index;
    this.next = page.nextCursor || null;
    this.cursors.length = index + 1;
    this.prevButton.disabled = index === 0;
    this.nextButton.disabled = !this.next;
    this.status.textContent = `Page ${index + 1}` + (page.total !== undefined && page.total !== null ? ` · ${page.total} in all` : '');
    this.onPage(page);
  }
}
