// The pull command for a tag, by the kind of artifact, and copying it.
import {h} from './dom.js';

const plain = () => location.protocol === 'http:';

// The tools that fit a kind: [[label, command], ...] for NAME:TAG on this box.
export function pullCommands(kind, name, tag) {
  const host = location.host;
  const ref = `${host}/${name}:${tag}`;
  if (kind === 'chart') {
    return [['helm', `helm pull oci://${host}/${name} --version ${tag}` +
      (plain() ? ' --plain-http' : '')]];
  }
  if (kind === 'files') {
    // Each file's own curl command is on the artifact's page.
    return [['oras', `oras pull ${ref}` + (plain() ? ' --plain-http' : '')]];
  }
  if (kind === 'image' || kind === 'index') {
    return [
      ['docker', `docker pull ${ref}`],
      ['podman', `podman pull ${plain() ? '--tls-verify=false ' : ''}${ref}`],
      ['ctr', `ctr images pull ${plain() ? '--plain-http ' : ''}${ref}`],
    ];
  }
  return [['curl', `curl -fs -H 'Accept: application/vnd.oci.image.manifest.v1+json' ` +
    `${location.protocol}//${host}/v2/${name}/manifests/${tag}`]];
}

// Puts text on the clipboard: the async API where the page is a secure
// context, else the old copy command on a hidden text field.
export async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (e) {
      // fall back below
    }
  }
  const area = h('textarea', {readonly: true, class: 'offscreen'});
  area.value = text;
  document.body.append(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } finally {
    area.remove();
  }
  return ok;
}

// A button that copies `text`, saying so; the copied text is kept in
// data-copied (what the browser test reads back).
export function copyButton(text, label = 'Copy') {
  const button = h('button', {type: 'button', class: 'copy', title: text});
  button.textContent = label;
  button.addEventListener('click', async () => {
    const ok = await copyText(text);
    button.textContent = ok ? 'Copied' : 'Select and copy';
    button.dataset.copied = ok ? text : '';
    setTimeout(() => { button.textContent = label; }, 2000);
  });
  return button;
}

// The pull box: a tool picker, the command as selectable text, a copy button.
export function pullBox(kind, name, tag) {
  const commands = pullCommands(kind, name, tag);
  const box = h('div', {class: 'pull'});
  const code = h('code', {class: 'command'});
  const copy = h('span');
  const pick = h('select', {'aria-label': 'tool'}, commands.map(([label]) =>
    h('option', {value: label}, label)));
  const show = () => {
    const [, command] = commands.find(([label]) => label === pick.value) || commands[0];
    code.textContent = command;
    copy.replaceChildren(copyButton(command));
  };
  pick.addEventListener('change', show);
  show();
  box.append(pick, code, copy);
  return box;
}
