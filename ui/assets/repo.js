// #/r/NAME : a repository's tags with digest, kind, platforms, size,
// created and updated time and by whom, a pull command per tag, and "More"
// for repositories with thousands of tags.
import {call, query, repoPath} from './api.js';
import {bytes, fill, h, link, note, shortDigest, time} from './dom.js';
import {pullBox} from './pull.js';

const PAGE = 100;

function updated(tag) {
  return [time(tag.updatedAt), tag.updatedBy ? h('span', {class: 'muted'}, ' by ',
    tag.updatedBy) : null];
}

const COLUMNS = ['Tag', 'Kind', 'Digest', 'Platforms', 'Size', 'Created', 'Updated', 'Pull'];

function tagRow(name, tag) {
  const ref = name + '@' + tag.digest;
  const cells = [
    h('span', {class: 'clip'}, link(tag.name, 'r', ref)),
    h('span', {class: 'kind kind-' + String(tag.kind)}, tag.kind),
    h('span', {class: 'digest', title: tag.digest}, link(shortDigest(tag.digest), 'r', ref)),
    (tag.platforms || []).join(', ') || '–',
    bytes(tag.bytes),
    time(tag.created),
    updated(tag),
    pullBox(tag.kind, name, tag.name),
  ];
  // data-label: the column's name, shown beside each cell on a phone.
  return h('tr', {'data-tag': tag.name}, cells.map((c, i) => h('td', {'data-label': COLUMNS[i]},
    c)));
}

export async function render(view, where) {
  const name = where.name;
  const body = h('tbody');
  const more = h('button', {type: 'button', class: 'more'}, 'More');
  const count = h('span', {class: 'muted'});
  const status = h('div');
  fill(view, h('nav', {class: 'crumbs'}, link('Repositories'), ' / ', name),
    h('h1', {}, name, ' ', count),
    h('div', {class: 'scroll'}, h('table', {class: 'tags'},
      h('thead', {}, h('tr', {}, COLUMNS.map((c) => h('th', {}, c)))), body)),
    status, more);
  let shown = 0;
  let next = `/ferry/v1/repositories/${repoPath(name)}/tags` + query({n: PAGE});
  const load = async () => {
    more.disabled = true;
    const page = await call('GET', next);
    for (const tag of page.data.tags || []) body.append(tagRow(name, tag));
    shown += (page.data.tags || []).length;
    next = page.next;
    more.hidden = !next;
    more.disabled = false;
    count.textContent = `${shown}${next ? '+' : ''} tags`;
    if (!shown) fill(status, h('p', {class: 'muted'}, 'No tags.'));
  };
  more.addEventListener('click', () => load().catch((e) => fill(status, note('error', e.message))));
  await load();
}
