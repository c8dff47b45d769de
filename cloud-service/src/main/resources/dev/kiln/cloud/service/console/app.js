// The console's entry point: hash routes to views, the signed-in identity, and the lifecycle of a
// view (each returns a function that stops its polling or its event stream when the route changes).

import * as api from './api.js';
import {h, replace} from './dom.js';
import * as login from './views/login.js';
import * as fleet from './views/fleet.js';
import * as deployments from './views/deployments.js';
import * as deployment from './views/deployment.js';
import * as models from './views/models.js';
import * as monitoring from './views/monitoring.js';
import * as captures from './views/captures.js';
import * as audit from './views/audit.js';

const ROLES = ['viewer', 'operator', 'admin'];

const ROUTES = [
  {re: /^#\/login$/, view: login, nav: null},
  {re: /^#\/fleet$/, view: fleet, nav: '#/fleet'},
  {re: /^#\/deployments$/, view: deployments, nav: '#/deployments'},
  {re: /^#\/deployments\/([^/]+)$/, view: deployment, nav: '#/deployments'},
  {re: /^#\/models$/, view: models, nav: '#/models'},
  {re: /^#\/models\/([^/]+)$/, view: models, nav: '#/models'},
  {re: /^#\/monitoring$/, view: monitoring, nav: '#/monitoring'},
  {re: /^#\/captures$/, view: captures, nav: '#/captures'},
  {re: /^#\/audit$/, view: audit, nav: '#/audit'},
];

/** Who is signed in, from GET /whoami; null until known. */
const session = {
  who: null,
  /** True when the signed-in role is `role` or above. */
  can(role) {
    return this.who !== null && ROLES.indexOf(this.who.role) >= ROLES.indexOf(role);
  },
  async refresh() {
    this.who = api.token.get() ? await api.get('/whoami') : null;
    const link = document.getElementById('who');
    link.textContent = this.who ? `${this.who.name} (${this.who.role})` : 'Sign in';
    return this.who;
  },
  signOut() {
    api.token.clear();
    this.who = null;
    document.getElementById('who').textContent = 'Sign in';
  },
};

let stopView = null;
let renderCount = 0;

async function route() {
  const main = document.getElementById('main');
  if (stopView) {
    stopView();
    stopView = null;
  }
  let hash = location.hash || '';
  if (!api.token.get() && hash !== '#/login') {
    location.replace('#/login');
    return;
  }
  if (hash === '' || hash === '#') {
    location.replace('#/fleet');
    return;
  }
  const match = ROUTES.map(r => ({r, m: hash.match(r.re)})).find(x => x.m);
  for (const a of document.querySelectorAll('.nav a')) {
    if (match && a.getAttribute('href') === match.r.nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (!match) {
    replace(main, h('h1', {}, 'Not found'), h('p', {}, 'No view at ', hash, '. ', h('a', {href: '#/fleet'}, 'Go to the fleet.')));
    return;
  }
  const mine = ++renderCount;
  try {
    if (match.r.view !== login && session.who === null) await session.refresh();
    if (mine !== renderCount) return;
    const stop = await match.r.view.render(main, match.m.slice(1).map(decodeURIComponent), session);
    if (mine !== renderCount) {
      if (stop) stop();
      return;
    }
    stopView = stop || null;
  } catch (e) {
    if (e instanceof api.ApiError && e.status === 401) {
      session.signOut();
      sessionStorage.setItem('kiln.loginReason', e.message);
      location.replace('#/login');
      return;
    }
    replace(main, h('h1', {}, 'Something went wrong'), h('div', {class: 'alert', role: 'alert'}, String(e.message || e)));
  }
}

/** Moves focus to the new view's heading after a route change, as a page load would. */
function focusMain() {
  const main = document.getElementById('main');
  const heading = main.querySelector('h1');
  (heading || main).setAttribute('tabindex', '-1');
  (heading || main).focus({preventScroll: false});
}

window.addEventListener('hashchange', () => route().then(focusMain));
// Module scripts run deferred, so the document is parsed by now.
route();
