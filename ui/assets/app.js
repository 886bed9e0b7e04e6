// The console's entry: reads the session, then draws the page the hash
// names (#/, #/r/NAME, #/r/NAME@DIGEST, #/imports, #/storage, #/audit,
// #/admin, #/login) into <main>.
import {ApiError, get, isAdmin, loadSession, logOut, session} from './api.js';
import {fill, h, note} from './dom.js';
import * as admin from './admin.js';
import * as audit from './audit.js';
import * as image from './image.js';
import * as imports from './imports.js';
import * as login from './login.js';
import * as repo from './repo.js';
import * as repos from './repos.js';
import * as storage from './storage.js';

const main = document.getElementById('main');

// #/r/team/app@sha256:... -> {page: 'image', name: 'team/app', digest: 'sha256:...'}
export function parseRoute(hash) {
  const path = decodeURIComponent((hash || '').replace(/^#\/?/, ''));
  const [head, ...rest] = path.split('?')[0].split('/');
  if (head === 'r' && rest.length) {
    const whole = rest.join('/');
    const at = whole.indexOf('@');
    if (at > 0) return {page: 'image', name: whole.slice(0, at), reference: whole.slice(at + 1)};
    return {page: 'repo', name: whole};
  }
  const pages = {'': 'repos', imports: 'imports', storage: 'storage', audit: 'audit',
    admin: 'admin', login: 'login'};
  return {page: pages[head] || 'missing'};
}

const renderers = {repos, repo, image, imports, storage, audit, admin, login};

// Where login is required, an anonymous visitor still browses what anonymous
// pull allows (a namespace set --anonymous-pull on); a box with none is
// locked: the login only.
let anonymousBrowse = false;

async function loadVisitor() {
  await loadSession();
  anonymousBrowse = false;
  if (!session.loginRequired || session.user) return;
  try {
    anonymousBrowse = (await get('/ferry/v1/catalog')).namespaces.length > 0;
  } catch (e) {
    anonymousBrowse = false;  // 401 from an older ferryd: locked
  }
}

const locked = () => session.loginRequired && !session.user && !anonymousBrowse;

function drawHeader(page) {
  const nav = document.getElementById('nav');
  nav.hidden = locked();
  for (const a of nav.querySelectorAll('a')) {
    a.hidden = a.hasAttribute('data-admin') && !isAdmin();
    a.classList.toggle('current', a.dataset.page === page);
  }
  fill(document.getElementById('user'), session.user ? session.user : '');
  document.getElementById('login-link').hidden = Boolean(session.user) || page === 'login';
  document.getElementById('logout').hidden = !session.user;
}

let drawing = 0;

async function draw() {
  const mine = ++drawing;
  let where = parseRoute(location.hash);
  // A locked box shows nothing but the login to an anonymous visitor.
  if (locked() && where.page !== 'login') {
    location.replace('#/login');
    return;
  }
  if (where.page === 'admin' && !isAdmin()) where = {page: 'missing'};
  drawHeader(where.page);
  document.title = 'Ferry · ' + where.page;
  const view = h('div', {class: 'page', 'data-page': where.page});
  fill(main, view);
  if (where.page === 'missing') {
    fill(view, h('h1', {}, 'Not here'), h('p', {}, 'No such page. ', h('a', {href: '#/'},
      'See the repositories.')));
    return;
  }
  try {
    await renderers[where.page].render(view, where);
  } catch (e) {
    if (mine !== drawing) return;
    if (e instanceof ApiError && e.status === 401) {
      await loadSession().catch(() => {});
      if (!session.user) {
        location.hash = '#/login';
        return;
      }
    }
    append(view, e);
  }
}

function append(view, e) {
  view.append(note('error', e instanceof ApiError ? e.message : 'Something broke: ' + e.message));
}

async function start() {
  document.getElementById('logout').addEventListener('click', async () => {
    try {
      await logOut();
    } catch (e) {
      // the cookie is gone either way once the page reloads the session
    }
    await loadVisitor().catch(() => {});
    location.hash = locked() ? '#/login' : '#/';
    draw();
  });
  window.addEventListener('hashchange', draw);
  window.addEventListener('ferry:session', draw);
  try {
    await loadVisitor();
  } catch (e) {
    fill(main, note('error', e.message));
    return;
  }
  draw();
}

start();
