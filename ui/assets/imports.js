// #/imports : the import history, newest first, with each signed receipt.
import {call, query} from './api.js';
import {fill, h, note, table, time} from './dom.js';

function images(r) {
  const list = Array.isArray(r.images) ? r.images : [];
  if (!list.length) return '–';
  return h('ul', {class: 'plain'}, list.map((i) => h('li', {}, String(i.name || ''))));
}

function receipt(r) {
  if (!r.receipt) return '–';
  const base = `/ferry/v1/imports/${encodeURIComponent(r.id)}/receipt`;
  return [h('a', {href: base, download: `receipt-${r.id}.json`}, 'receipt'), ' ',
    h('a', {href: base + '.minisig', download: `receipt-${r.id}.json.minisig`}, 'signature')];
}

function row(r) {
  const bundle = [r.bundleId || '–', r.channel ? h('div', {class: 'muted'},
    `${r.channel}${r.sequence !== undefined ? ' #' + r.sequence : ''}`) : null];
  return [String(r.id), time(r.startedAt), h('span', {class: 'clip'}, r.source || '–'),
    h('span', {class: 'clip'}, bundle), r.signer || '–',
    h('span', {class: 'result result-' + String(r.result)}, r.result),
    [r.reason || '', r.error ? h('div', {class: 'muted'}, r.error) : null], images(r),
    receipt(r)];
}

export async function render(view) {
  const box = h('div');
  const more = h('button', {type: 'button', class: 'more', hidden: true}, 'More');
  fill(view, h('h1', {}, 'Imports'), box, more);
  const rows = [];
  let next = '/ferry/v1/imports' + query({n: 50});
  const load = async () => {
    const page = await call('GET', next);
    rows.push(...(page.data.imports || []).map(row));
    next = page.next;
    more.hidden = !next;
    fill(box, table(['#', 'Started', 'Source', 'Bundle', 'Signer', 'Result', 'Reason',
      'Images', 'Receipt'], rows, 'No imports yet: `ferryd import BUNDLE`, the inbox or ' +
      'a USB stick bring them in.'));
  };
  more.addEventListener('click', () => load().catch((e) => view.append(note('error', e.message))));
  await load();
}
