// #/storage : disk space against the floor, use per namespace against its
// quota, the last GC and scrub, damaged content; admins of "*" start a GC
// or a scrub.
import {call, get, session} from './api.js';
import {bytes, facts, fill, h, note, table, time} from './dom.js';

function gauge(used, limit) {
  if (!limit) return null;
  return h('progress', {max: String(limit), value: String(Math.min(used, limit)),
    title: `${bytes(used)} of ${bytes(limit)}`});
}

function job(kind, j) {
  const last = j && j.last;
  const state = j && j.running ? 'running now' : 'idle';
  if (!last) return [h('h3', {}, kind), facts([['State', state], ['Last run', 'never']])];
  const counts = kind === 'GC' ?
    [['Blobs removed', String(last.removedBlobs)], ['Manifests removed',
      String(last.removedManifests)], ['Freed', bytes(last.freedBytes)]] :
    [['Checked', String(last.checked)], ['Damaged', String(last.damaged)]];
  return [h('h3', {}, kind), facts([['State', state], ['Started', time(last.startedAt)],
    ['Finished', time(last.finishedAt)], ['Trigger', last.trigger], ...counts,
    ['Error', last.error]])];
}

function startButton(label, path, view) {
  const button = h('button', {type: 'button', 'data-action': path}, label);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await call('POST', path, {});
      view.prepend(note('ok', `${label}: started.`));
      setTimeout(() => render(view), 1500);
    } catch (e) {
      view.prepend(note('error', e.status === 409 ? `${label}: one is running already.` :
        e.message));
      button.disabled = false;
    }
  });
  return button;
}

export async function render(view) {
  const s = await get('/ferry/v1/storage');
  const disk = s.disk || {};
  const used = (disk.totalBytes || 0) - (disk.freeBytes || 0);
  fill(view, h('h1', {}, 'Storage'),
    h('h2', {}, 'Disk'),
    facts([['Free', bytes(disk.freeBytes)], ['Total', bytes(disk.totalBytes)],
      ['Floor', [bytes(disk.floorBytes), ' ', h('span', {class: 'muted'},
        'pushes are refused below it')]],
      ['Used', gauge(used, disk.totalBytes)]]),
    disk.freeBytes !== undefined && disk.freeBytes < disk.floorBytes ?
      note('error', 'Free space is under the floor: pushes and imports are refused.') : null,
    h('h2', {}, 'Namespaces'),
    table(['Namespace', 'Used', 'Quota', ''], (s.namespaces || []).map((n) =>
      [n.name, bytes(n.bytes), n.quota === null || n.quota === undefined ? 'none' :
        bytes(n.quota), gauge(n.bytes, n.quota) || ''])),
    h('h2', {}, 'Jobs'),
    h('div', {class: 'jobs'}, h('div', {}, job('GC', s.gc)), h('div', {}, job('Scrub', s.scrub))),
    session.admin.everything ? h('p', {class: 'actions'},
      startButton('Start GC', '/ferry/v1/gc', view),
      startButton('Start scrub', '/ferry/v1/scrub', view)) : null,
    h('h2', {}, 'Damaged content'),
    table(['Digest', 'Found', 'Why'], (s.damaged || []).map((d) =>
      [h('code', {class: 'wrap'}, d.digest), time(d.foundAt), d.reason]),
    'None: the last scrub found everything intact.'));
}
