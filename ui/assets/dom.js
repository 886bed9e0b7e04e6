// Building the page. Every piece of data goes into the DOM as text
// (textContent, attribute values): never as HTML, since names, labels and
// annotations come from whoever pushed the image.

// Control characters and the bidirectional overrides (U+202A-202E,
// U+2066-2069, U+200E/F) shown as \u{...}: in a name or a failed login's
// user they would make "evil\u202eexe.txt" read as "eviltxt.exe", as the
// logs and ferryctl escape them too.
const HIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
export const printable = (text) =>
  String(text).replace(HIDDEN, (c) => `\\u{${c.codePointAt(0).toString(16)}}`);

// h('a', {href: '#/', class: 'x', onclick: f}, 'text', child, [more]) -> element.
// Props starting with "on" are listeners; `text` sets textContent; other
// props are attributes (false/null/undefined leave them out).
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'text') {
      el.textContent = printable(value);
    } else if (key === 'value') {
      el.value = String(value);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(printable(child)));
  }
  return el;
}

// Replaces the children of `el`.
export function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

// 1536 -> "1.5 KiB"; null/undefined -> "–".
export function bytes(n) {
  if (n === null || n === undefined || Number.isNaN(Number(n))) return '–';
  let v = Number(n);
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  const text = i === 0 ? String(v) : v.toFixed(v < 10 ? 1 : 0).replace(/\.0$/, '');
  return text + ' ' + UNITS[i];
}

// "20GiB", "1.5 MiB", "1000" -> bytes; null when not a size.
export function parseBytes(text) {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGTP]?i?B?)?\s*$/i.exec(text);
  if (!m) return null;
  const unit = (m[2] || '').toUpperCase().replace(/I?B$/, '');
  const power = unit ? 'KMGTP'.indexOf(unit) + 1 : 0;
  return Math.round(Number(m[1]) * 1024 ** power);
}

// Unix seconds or an RFC 3339 string -> "2026-11-30 01:12 UTC"; null -> "–".
export function time(t) {
  if (t === null || t === undefined || t === '') return '–';
  const d = typeof t === 'number' ? new Date(t * 1000) : new Date(t);
  if (Number.isNaN(d.getTime())) return String(t);
  return d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

// "sha256:abcdef0123456789..." -> "sha256:abcdef012345".
export function shortDigest(d) {
  if (!d) return '–';
  const i = d.indexOf(':');
  return i < 0 ? d.slice(0, 12) : d.slice(0, i + 13);
}

// A table; rows are arrays of cells (text or nodes). `empty` shown when no rows.
export function table(headers, rows, empty = 'Nothing here yet.') {
  if (!rows.length) return h('p', {class: 'muted'}, empty);
  return h('div', {class: 'scroll'},
    h('table', {},
      h('thead', {}, h('tr', {}, headers.map((c) => h('th', {}, c)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c)))))));
}

// A description list from [term, value] pairs, skipping empty values.
export function facts(pairs) {
  const items = pairs.filter(([, v]) => v !== undefined && v !== null && v !== '' &&
    !(Array.isArray(v) && !v.length));
  return h('dl', {class: 'facts'}, items.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

// A link to a page of the console (hash route); parts are encoded.
export function link(text, ...parts) {
  return h('a', {href: route(...parts)}, text);
}

export function route(...parts) {
  return '#/' + parts.map((p) => encodeURIComponent(p).replace(/%2F/g, '/')).join('/');
}

// A message box: kind is "error", "ok" or "info".
export function note(kind, text) {
  return h('p', {class: 'note ' + kind, role: kind === 'error' ? 'alert' : 'status'}, text);
}

export function heading(text, ...rest) {
  return h('h1', {}, text, rest);
}
