// #/ : the namespaces with their repositories, tag counts, sizes and last
// change; a search box filters repositories by name.
import {call, get, query} from './api.js';
import {bytes, fill, h, link, note, table, time} from './dom.js';

const PAGE = 100;

function repoRows(list) {
  return list.map((r) => [link(r.name, 'r', r.name), String(r.tags), bytes(r.bytes),
    time(r.updatedAt)]);
}

// The repositories of a namespace matching q, with "More" while the Link says so.
async function repositories(box, namespace, q) {
  const rows = [];
  let next = '/ferry/v1/repositories' + query({namespace, q, n: PAGE});
  const more = h('button', {type: 'button', class: 'more'}, 'More');
  const load = async () => {
    const page = await call('GET', next);
    rows.push(...repoRows(page.data.repositories || []));
    next = page.next;
    fill(box, table(['Repository', 'Tags', 'Size', 'Last change'], rows,
      q ? 'No repository matches.' : 'No repositories.'), next ? more : null);
  };
  more.addEventListener('click', () => load().catch((e) => box.append(note('error', e.message))));
  await load();
}

function namespaceBlock(ns, q) {
  const body = h('div', {class: 'ns-body'});
  const block = h('details', {class: 'namespace', 'data-namespace': ns.name},
    h('summary', {},
      h('span', {class: 'ns-name'}, ns.name),
      h('span', {class: 'ns-stats'},
        `${ns.repositories} repositories · ${ns.tags} tags · ${bytes(ns.bytes)} · ` +
        `changed ${time(ns.updatedAt)}`)),
    body);
  let loaded = false;
  const open = () => {
    if (loaded) return;
    loaded = true;
    fill(body, h('p', {class: 'muted'}, 'Loading…'));
    repositories(body, ns.name, q).catch((e) => fill(body, note('error', e.message)));
  };
  block.addEventListener('toggle', () => block.open && open());
  if (q) block.open = true;
  return block;
}

export async function render(view) {
  const search = h('input', {type: 'search', placeholder: 'Search repositories',
    'aria-label': 'Search repositories', id: 'search'});
  const list = h('div', {class: 'namespaces'});
  fill(view, h('div', {class: 'bar'}, h('h1', {}, 'Repositories'), search), list);
  const catalog = await get('/ferry/v1/catalog');
  const namespaces = catalog.namespaces || [];
  const show = () => {
    const q = search.value.trim();
    if (!namespaces.length) {
      fill(list, h('p', {class: 'muted'},
        'Nothing to see yet: push an image or import a bundle (or log in).'));
      return;
    }
    fill(list, namespaces.map((ns) => namespaceBlock(ns, q)));
    if (namespaces.length === 1 && !q) list.firstChild.open = true;
  };
  let timer = 0;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(show, 250);
  });
  show();
}
