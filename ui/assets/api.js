// Talking to ferryd's JSON API under /ferry/v1/ (docs/console.md). The
// session cookie travels by itself; every write carries the session's CSRF
// token in X-Ferry-CSRF.

export class ApiError extends Error {
  constructor(status, message, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// What GET /ferry/v1/session said: {user, csrf, expiresAt, loginRequired, admin}.
export const session = {
  user: null,
  csrf: null,
  expiresAt: null,
  loginRequired: false,
  admin: {everything: false, namespaces: []},
};

function errorOf(status, body) {
  try {
    const j = JSON.parse(body);
    if (Array.isArray(j.errors) && j.errors.length) {
      return new ApiError(status, j.errors.map((e) => String(e.message)).join('; '),
        String(j.errors[0].code));
    }
  } catch (e) {
    // not JSON: fall through
  }
  return new ApiError(status, status === 0 ? 'no answer from the registry' :
    `the registry answered ${status}`);
}

// The URL of a Link: <...>; rel="next" header, or null.
export function nextLink(header) {
  const m = header && /<([^>]+)>\s*;\s*rel="?next"?/.exec(header);
  return m ? m[1] : null;
}

// call('GET', '/ferry/v1/catalog') -> {data, next}; throws ApiError.
export async function call(method, path, body) {
  const headers = {Accept: 'application/json'};
  if (method !== 'GET' && method !== 'HEAD' && session.csrf) headers['X-Ferry-CSRF'] = session.csrf;
  const init = {method, headers, credentials: 'same-origin', cache: 'no-store'};
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let r;
  try {
    r = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'the registry cannot be reached: ' + e.message);
  }
  const text = await r.text();
  if (!r.ok) throw errorOf(r.status, text);
  const data = text ? JSON.parse(text) : null;
  return {data, next: nextLink(r.headers.get('Link'))};
}

export const get = async (path) => (await call('GET', path)).data;

// Query string from an object, leaving out empty values.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

// A repository name in a path: its slashes stay, the rest is encoded.
export const repoPath = (name) => name.split('/').map(encodeURIComponent).join('/');

// Reads the session into `session`. A 401 (older ferryd, or a box that
// will not say) is taken as an anonymous visitor on a locked box.
export async function loadSession() {
  try {
    Object.assign(session, await get('/ferry/v1/session'));
  } catch (e) {
    if (e.status !== 401) throw e;
    Object.assign(session, {user: null, csrf: null, expiresAt: null, loginRequired: true,
      admin: {everything: false, namespaces: []}});
  }
  if (!session.admin) session.admin = {everything: false, namespaces: []};
  return session;
}

export const isAdmin = () =>
  session.admin.everything || (session.admin.namespaces || []).length > 0;

export async function logIn(user, password) {
  const {data} = await call('POST', '/ferry/v1/session', {user, password});
  Object.assign(session, data, {loginRequired: session.loginRequired});
  return session;
}

export async function logOut() {
  await call('DELETE', '/ferry/v1/session');
  Object.assign(session, {user: null, csrf: null, expiresAt: null});
}
