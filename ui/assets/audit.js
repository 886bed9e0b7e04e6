// #/audit : the audit log, newest first, filtered by user, action,
// namespace and result.
import {call, query} from './api.js';
import {fill, h, note, table, time} from './dom.js';

const FILTERS = [['user', 'User'], ['action', 'Action'], ['namespace', 'Namespace']];

export async function render(view) {
  const inputs = Object.fromEntries(FILTERS.map(([k, label]) =>
    [k, h('input', {name: k, placeholder: label, 'aria-label': label})]));
  inputs.result = h('select', {name: 'result', 'aria-label': 'Result'},
    ['', 'ok', 'failed', 'refused'].map((r) => h('option', {value: r}, r || 'any result')));
  const form = h('form', {class: 'filters'}, Object.values(inputs),
    h('button', {type: 'submit'}, 'Filter'));
  const box = h('div');
  const more = h('button', {type: 'button', class: 'more', hidden: true}, 'More');
  fill(view, h('h1', {}, 'Audit log'), form, box, more);
  let rows = [];
  let next = null;
  const load = async (url) => {
    const page = await call('GET', url);
    rows.push(...(page.data.entries || []).map((e) => [String(e.id ?? ''), time(e.at), e.actor,
      e.action, e.target, e.client, h('span', {class: 'result result-' + String(e.result)},
        e.result), e.detail || '']));
    next = page.next;
    more.hidden = !next;
    fill(box, table(['#', 'When', 'Who', 'Action', 'Target', 'From', 'Result', 'Detail'], rows,
      'No entries match.'));
  };
  const search = () => {
    rows = [];
    const params = {n: 50};
    for (const [k, el] of Object.entries(inputs)) params[k] = el.value.trim();
    return load('/ferry/v1/audit' + query(params));
  };
  const fail = (e) => box.append(note('error', e.message));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    search().catch(fail);
  });
  more.addEventListener('click', () => load(next).catch(fail));
  await search();
}
