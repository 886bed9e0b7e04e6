// #/admin : users, robot tokens (the secret shown once), grants and
// namespace settings, through the admin API (docs/access.md). Each section
// loads on its own; an admin of one namespace gets its grants and settings.
import {call, get, session} from './api.js';
import {fill, h, note, parseBytes, table, time} from './dom.js';
import {copyButton} from './pull.js';

const enc = encodeURIComponent;
const ROLES = ['reader', 'writer', 'maintainer', 'admin'];

// A section that (re)draws itself from `draw(box, reload)`.
function section(title, id, draw) {
  const box = h('div');
  const status = h('div', {class: 'status'});
  const reload = async (message) => {
    try {
      fill(box, await draw(reload, status));
      fill(status, message ? note('ok', message) : null);
    } catch (e) {
      fill(status, note('error', e.message));
    }
  };
  reload();
  return h('section', {id}, h('h2', {}, title), status, box);
}

// Runs a change; shows the refusal in `status`, else reloads with `done`.
async function change(status, reload, done, method, path, body) {
  try {
    await call(method, path, body);
    await reload(done);
  } catch (e) {
    fill(status, note('error', e.message));
  }
}

function form(onsubmit, ...fields) {
  const f = h('form', {class: 'inline'}, fields);
  f.addEventListener('submit', (ev) => {
    ev.preventDefault();
    onsubmit(f);
  });
  return f;
}

const input = (name, label, props = {}) =>
  h('input', {name, placeholder: label, 'aria-label': label, ...props});
const button = (text, onclick, props = {}) =>
  h('button', {type: 'button', onclick, ...props}, text);

async function users(reload, status) {
  const {users: list} = await get('/ferry/v1/users');
  const rows = list.map((u) => [u.name, time(u.createdAt), [
    form((f) => change(status, reload, `Password of ${u.name} changed.`, 'PUT',
      `/ferry/v1/users/${enc(u.name)}/password`, {password: f.password.value}),
    input('password', 'new password', {type: 'password', required: true, autocomplete:
      'new-password'}), h('button', {type: 'submit'}, 'Set password')),
    button('Remove', () => confirm(`Remove ${u.name}, with their tokens and roles?`) &&
      change(status, reload, `${u.name} removed.`, 'DELETE', `/ferry/v1/users/${enc(u.name)}`),
    {class: 'danger'})]]);
  return [table(['User', 'Since', ''], rows),
    form((f) => change(status, reload, `${f.username.value} added.`, 'POST', '/ferry/v1/users',
      {name: f.username.value, password: f.password.value}),
    input('username', 'user name', {required: true}),
    input('password', 'password', {type: 'password', required: true,
      autocomplete: 'new-password'}), h('button', {type: 'submit'}, 'Add user'))];
}

function tokenState(t) {
  if (t.revokedAt) return 'revoked ' + time(t.revokedAt);
  if (t.expiresAt && t.expiresAt * 1000 < Date.now()) return 'expired';
  return 'active';
}

async function tokens(reload, status) {
  const {tokens: list} = await get('/ferry/v1/tokens');
  const secretBox = h('div', {class: 'secret-box'});
  const rows = list.map((t) => [t.id, t.user, t.description || '', time(t.createdAt),
    t.expiresAt ? time(t.expiresAt) : 'never', tokenState(t),
    t.revokedAt ? '' : button('Revoke', () => change(status, reload, `Token ${t.id} revoked.`,
      'DELETE', `/ferry/v1/tokens/${enc(t.id)}`), {class: 'danger'})]);
  const create = async (f) => {
    try {
      const days = Number(f.days.value || 90);
      const {data} = await call('POST', '/ferry/v1/tokens', {user: f.user.value,
        expiresIn: Math.round(days * 86400), description: f.description.value});
      await reload();
      // After the reload, which redraws the section: the secret, once.
      const shown = document.querySelector('#tokens .secret-box');
      fill(shown, note('ok', 'The token, shown this once: copy it now.'),
        h('code', {class: 'secret wrap', id: 'new-token'}, data.secret), ' ',
        copyButton(data.secret));
    } catch (e) {
      fill(status, note('error', e.message));
    }
  };
  return [secretBox, table(['Id', 'User', 'Description', 'Created', 'Expires', 'State', ''], rows),
    form(create, input('user', 'user', {required: true}),
      h('label', {}, 'valid for ', input('days', 'days valid', {type: 'number', min: '1',
        value: '90', class: 'short'}), ' days'),
      input('description', 'description'), h('button', {type: 'submit'}, 'Create token'))];
}

async function grants(reload, status) {
  const {grants: list} = await get('/ferry/v1/grants');
  const path = (g) => `/ferry/v1/grants/${enc(g.user)}/${enc(g.namespace)}`;
  const rows = list.map((g) => [g.user, g.namespace, g.role,
    button('Revoke', () => change(status, reload, `Revoked ${g.user} in ${g.namespace}.`,
      'DELETE', path(g)), {class: 'danger'})]);
  return [table(['User', 'Namespace', 'Role', ''], rows),
    form((f) => change(status, reload, `${f.user.value} is ${f.role.value} in ${f.ns.value}.`,
      'PUT', path({user: f.user.value, namespace: f.ns.value}), {role: f.role.value}),
    input('user', 'user', {required: true}), input('ns', 'namespace or *', {required: true}),
    h('select', {name: 'role', 'aria-label': 'role'}, ROLES.map((r) => h('option', {}, r))),
    h('button', {type: 'submit'}, 'Grant'))];
}

const tri = (v) => (v === null || v === undefined ? 'inherit' : v ? 'on' : 'off');
const fromTri = (v) => (v === 'inherit' ? null : v === 'on');

function quotaText(q) {
  if (q === null || q === undefined) return '';
  if (q === 'none') return 'none';
  // Exactly, in the largest unit that divides it.
  for (const [unit, size] of [['TiB', 2 ** 40], ['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 1024]]) {
    if (q >= size && q % size === 0) return `${q / size}${unit}`;
  }
  return String(q);
}

// The settings form of a namespace (a new one when ns is empty).
function namespaceForm(ns, reload, status) {
  const select = (name, value) => h('select', {name, 'aria-label': name},
    ['inherit', 'on', 'off'].map((o) => h('option', {value: o, selected: o === value}, o)));
  const save = (f) => {
    const name = ns.name || f.ns.value.trim();
    const body = {anonymousPull: fromTri(f.anonymousPull.value), import: fromTri(f.import.value),
      immutable: f.immutable.value.trim() ? f.immutable.value.split(',').map((s) => s.trim())
        .filter(Boolean) : null};
    const q = f.quota.value.trim();
    if (session.admin.everything) {
      body.quota = q === '' ? null : q === 'none' ? 'none' : parseBytes(q);
      if (body.quota === undefined || Number.isNaN(body.quota)) {
        fill(status, note('error', 'Quota: a size like 20GiB, "none", or empty to inherit.'));
        return;
      }
    }
    change(status, reload, `Settings of ${name} saved.`, 'PATCH',
      `/ferry/v1/namespaces/${enc(name)}`, body);
  };
  return form(save, ns.name ? h('strong', {}, ns.name) :
    input('ns', 'namespace', {required: true}),
  h('label', {}, 'anonymous pull ', select('anonymousPull', tri(ns.anonymousPull))),
  h('label', {}, 'import ', select('import', tri(ns.import))),
  input('quota', 'quota (20GiB, none)', {value: quotaText(ns.quota),
    disabled: !session.admin.everything}),
  input('immutable', 'immutable tags (v*, ...)', {value: (ns.immutable || []).join(', ')}),
  h('button', {type: 'submit'}, 'Save'));
}

async function namespaces(reload, status) {
  const {namespaces: list} = await get('/ferry/v1/namespaces');
  return [h('p', {class: 'muted'}, 'Empty or "inherit" follows the settings of *.'),
    h('div', {class: 'ns-forms'}, list.map((ns) => h('div', {'data-namespace': ns.name},
      namespaceForm(ns, reload, status)))),
    h('h3', {}, 'Another namespace'), namespaceForm({}, reload, status)];
}

export async function render(view) {
  // Users and tokens are for admins of "*" only: an admin of one namespace
  // manages its grants and settings (docs/access.md, "Admin API").
  const everything = session.admin.everything;
  fill(view, h('h1', {}, 'Administration'),
    everything ? section('Users', 'users', users) : null,
    everything ? section('Robot tokens', 'tokens', tokens) : null,
    section('Grants', 'grants', grants),
    section('Namespaces', 'namespaces', namespaces));
}
