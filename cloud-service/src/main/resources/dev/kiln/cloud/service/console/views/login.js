// Sign in with an API token. The token stays in this tab's sessionStorage only: closing the tab
// forgets it, and no other site can read it.

import * as api from '../api.js';
import {h, replace} from '../dom.js';
import {errorBox} from './common.js';

export async function render(main, params, session) {
  const reason = sessionStorage.getItem('kiln.loginReason');
  sessionStorage.removeItem('kiln.loginReason');
  const errors = h('div', {id: 'login-errors'}, reason ? errorBox(new Error(reason)) : null);
  const input = h('input', {id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true, 'aria-describedby': 'token-hint'});
  const form = h('form', {id: 'login-form', class: 'toolbar'},
    h('label', {for: 'token'}, 'API token', input),
    h('button', {type: 'submit', id: 'sign-in'}, 'Sign in'));
  const current = h('div', {id: 'whoami'});
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    errors.replaceChildren();
    api.token.set(input.value.trim());
    try {
      await session.refresh();
      location.hash = '#/fleet';
    } catch (e) {
      session.signOut();
      replace(errors, errorBox(e));
      input.focus();
    }
  });
  if (api.token.get()) {
    try {
      const who = await session.refresh();
      replace(current,
        h('p', {class: 'notice'}, 'Signed in as ', h('strong', {id: 'who-name'}, who.name), ' with role ', h('strong', {id: 'who-role'}, who.role), '.'),
        h('button', {type: 'button', class: 'secondary', onclick: () => {
          session.signOut();
          route(main, session);
        }}, 'Sign out'));
    } catch (e) {
      session.signOut();
    }
  }
  replace(main,
    h('h1', {}, 'Sign in'),
    current,
    errors,
    form,
    h('p', {class: 'hint', id: 'token-hint'},
      'Paste a token of the Kiln service. The first start wrote an admin token to STATE/admin.token; ',
      h('code', {}, 'kiln cloud token create --name NAME --role viewer|operator|admin'), ' makes more. ',
      'Viewers read; operators also deploy, cancel and roll back; admins also manage tokens.'));
}

function route(main, session) {
  render(main, [], session);
}
