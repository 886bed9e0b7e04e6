// #/login : user name and password (or a robot token) for a session.
import {ApiError, logIn} from './api.js';
import {fill, h, note} from './dom.js';

export async function render(view) {
  const user = h('input', {name: 'user', autocomplete: 'username', required: true, id: 'user-name'});
  const password = h('input', {name: 'password', type: 'password', required: true,
    autocomplete: 'current-password', id: 'password'});
  const status = h('div');
  const form = h('form', {class: 'login'},
    h('label', {for: 'user-name'}, 'User'), user,
    h('label', {for: 'password'}, 'Password or robot token'), password,
    h('button', {type: 'submit'}, 'Log in'), status);
  fill(view, h('h1', {}, 'Log in'), form);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    fill(status);
    try {
      await logIn(user.value, password.value);
      password.value = '';
      location.hash = '#/';
    } catch (e) {
      const text = e instanceof ApiError && e.status === 401 ? 'Wrong user name or password.' :
        e instanceof ApiError && e.status === 429 ? 'Too many attempts: wait a minute.' : e.message;
      fill(status, note('error', text));
    }
  });
  user.focus();
}
