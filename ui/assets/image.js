// #/r/NAME@REFERENCE : one manifest or index: its platforms, layers, config
// summary, chart fields, files with their sha256, referrers, and the
// manifest itself.
import {get, repoPath} from './api.js';
import {bytes, facts, fill, h, link, shortDigest, table, time} from './dom.js';
import {copyButton} from './pull.js';

const list = (items) => (items && items.length ?
  h('ul', {class: 'plain'}, items.map((i) => h('li', {}, h('code', {}, i)))) : null);

function keyValues(object) {
  const entries = Object.entries(object || {});
  if (!entries.length) return null;
  return h('dl', {class: 'kv'}, entries.map(([k, v]) =>
    [h('dt', {}, k), h('dd', {}, typeof v === 'string' ? v : JSON.stringify(v))]));
}

function configSection(c) {
  if (!c) return null;
  const platform = [c.os, c.architecture].filter(Boolean).join('/');
  return [h('h2', {}, 'Configuration'), facts([
    ['Created', c.created ? time(c.created) : null],
    ['Platform', platform],
    ['Entrypoint', list(c.entrypoint)],
    ['Command', list(c.cmd)],
    ['Working directory', c.workingDir],
    ['User', c.user],
    ['Environment', list(c.env)],
    ['Labels', keyValues(c.labels)],
    ['Config digest', c.digest ? h('code', {class: 'wrap'}, c.digest) : null],
    ['Config size', c.bytes !== undefined ? bytes(c.bytes) : null],
  ])];
}

function platformsSection(m, name) {
  if (!m.platforms || !m.platforms.length) return null;
  return [h('h2', {}, 'Platforms'), table(['Platform', 'Digest', 'Size'], m.platforms.map((p) =>
    [p.platform || '–', link(shortDigest(p.digest), 'r', name + '@' + p.digest), bytes(p.bytes)]))];
}

function layersSection(m) {
  if (!m.layers || !m.layers.length) return null;
  return [h('h2', {}, 'Layers'), table(['Digest', 'Media type', 'Size', 'Title'],
    m.layers.map((l) => [h('code', {title: l.digest}, shortDigest(l.digest)), l.mediaType,
      bytes(l.bytes), l.title || '–']))];
}

function chartSection(m) {
  if (!m.chart) return null;
  return [h('h2', {}, 'Chart'), keyValues(m.chart)];
}

// A file name offered in a copied shell command: nothing the shell or the
// URL would read otherwise (a name comes from whoever pushed: `$(...)`,
// quotes, newlines); other names keep their download link only.
const SAFE_FILE_NAME = /^[A-Za-z0-9._+@=,:-][A-Za-z0-9._+@=,: ~-]*$/;

function curlCommand(origin, name, tag, file) {
  if (!SAFE_FILE_NAME.test(file)) return null;
  const url = `${origin}/files/${repoPath(name)}/${encodeURIComponent(tag)}/` +
    encodeURIComponent(file);
  return `curl -fo '${file}' '${url}'`;
}

function filesSection(m, name) {
  if (!m.files || !m.files.length) return null;
  const tag = (m.tags || [])[0];
  const origin = `${location.protocol}//${location.host}`;
  return [h('h2', {}, 'Files'), table(['Name', 'sha256', 'Size', ''], m.files.map((f) => {
    const command = tag ? curlCommand(origin, name, tag, String(f.name)) : null;
    return [
      h('a', {href: `/v2/${repoPath(name)}/blobs/${f.digest}`, download: f.name}, f.name),
      h('code', {class: 'wrap'}, String(f.digest).replace(/^sha256:/, '')),
      bytes(f.bytes),
      command ? copyButton(command, 'Copy curl') : '',
    ];
  }))];
}

function referrersSection(m, name) {
  const rows = (m.referrers || []).map((r) => [
    h('span', {class: 'kind kind-' + String(r.kind)}, r.kind),
    r.artifactType || r.mediaType || '–',
    link(shortDigest(r.digest), 'r', name + '@' + r.digest),
    bytes(r.bytes), time(r.created), keyValues(r.annotations) || '–']);
  return [h('h2', {}, 'Referrers'),
    table(['Kind', 'Type', 'Digest', 'Size', 'Created', 'Annotations'], rows,
      'No signatures, SBOMs or attestations refer to it.')];
}

export async function render(view, where) {
  const {name, reference} = where;
  const m = await get(`/ferry/v1/repositories/${repoPath(name)}/manifests/` +
    encodeURIComponent(reference));
  const raw = m.manifest && typeof m.manifest === 'object' ? m.manifest : {};
  const subject = raw.subject && typeof raw.subject.digest === 'string' ? raw.subject : null;
  const annotations = raw.annotations && typeof raw.annotations === 'object' ? raw.annotations :
    null;
  fill(view,
    h('nav', {class: 'crumbs'}, link('Repositories'), ' / ', link(name, 'r', name), ' / ',
      shortDigest(m.digest)),
    h('h1', {}, name, h('span', {class: 'kind kind-' + String(m.kind)}, m.kind)),
    facts([
      ['Digest', [h('code', {class: 'wrap'}, m.digest), ' ', copyButton(m.digest)]],
      ['Tags', (m.tags || []).join(', ')],
      ['Media type', m.mediaType],
      ['Artifact type', m.artifactType],
      ['Size', bytes(m.bytes)],
      ['Refers to', subject ? link(shortDigest(subject.digest), 'r', name + '@' + subject.digest) :
        null],
      ['Annotations', keyValues(annotations)],
    ]),
    platformsSection(m, name), configSection(m.config), chartSection(m), filesSection(m, name),
    layersSection(m), referrersSection(m, name),
    h('details', {class: 'raw'}, h('summary', {}, 'Manifest'),
      h('pre', {}, JSON.stringify(m.manifest, null, 2))));
}
