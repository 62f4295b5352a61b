// The virtual printer's page for people: every receipt as its PNG, newest first, with its decoded
// text beside it, and the printer's state; live over server-sent events (/events). Tools keep the
// JSON (/receipts.json, or /receipts without asking for HTML). The page is static: receipts are
// rendered in the browser with textContent, so nothing printed can inject markup.

/**
 * True when the Accept header asks for HTML above JSON (a browser: text/html, then * / * with a
 * lower q). Tools that send * / * or application/json, or nothing, get JSON.
 */
export function prefersHtml(accept: string | undefined): boolean {
  let html: number | undefined;
  let json: number | undefined;
  let any: number | undefined;
  for (const part of (accept ?? '').split(',')) {
    const [type = '', ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2)) || 0;
    if (type === 'text/html') html = Math.max(html ?? 0, q);
    else if (type === 'application/json') json = Math.max(json ?? 0, q);
    else if (type === '*/*' || type === 'application/*') any = Math.max(any ?? 0, q);
  }
  return html !== undefined && html > (json ?? any ?? 0);
}

export const RECEIPTS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Virtual printer: receipts</title>
<link rel="stylesheet" href="/receipts.css">
<script src="/receipts.js" defer></script>
</head>
<body>
<header>
  <h1>Virtual printer: receipts</h1>
  <p id="state" aria-live="polite">Connecting…</p>
  <p class="tools">For tools: <a href="/receipts.json">receipts as JSON</a> · <a href="/status">status as JSON</a></p>
</header>
<main>
  <p id="news" class="visually-hidden" aria-live="polite"></p>
  <p id="empty" hidden>Nothing printed yet. New receipts appear here as they are printed, newest first.</p>
  <ol id="receipts" reversed aria-label="Receipts, newest first"></ol>
  <noscript><p>This page needs JavaScript to list receipts; <a href="/receipts.json">the JSON</a> works without it.</p></noscript>
</main>
</body>
</html>
`;

export const RECEIPTS_CSS = `
:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.4; }
body { margin: 0 auto; padding: 1rem; max-width: 70rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
.tools { font-size: .9rem; }
#state.problem { font-weight: bold; color: #b00020; }
@media (prefers-color-scheme: dark) { #state.problem { color: #ff8a80; } }
ol#receipts { list-style: none; padding: 0; margin: 0; }
ol#receipts > li { border-top: 1px solid #8888; padding: 1rem 0; }
article { display: flex; flex-wrap: wrap; gap: 1rem 2rem; align-items: flex-start; }
article h2 { flex-basis: 100%; font-size: 1.1rem; margin: 0; }
figure { margin: 0; flex: 0 1 auto; }
figcaption { font-size: .9rem; margin-bottom: .25rem; }
figure img { display: block; max-width: min(100%, 420px); height: auto; background: #fff; border: 1px solid #8888; }
pre { margin: 0; padding: .5rem 1rem; font-size: .95rem; white-space: pre-wrap; background: #8881; border-radius: 4px; min-width: 16rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
`;

export const RECEIPTS_SCRIPT = `'use strict';
(() => {
  const list = document.getElementById('receipts');
  const empty = document.getElementById('empty');
  const news = document.getElementById('news');
  const stateLine = document.getElementById('state');

  const el = (tag, props, ...children) => {
    const node = Object.assign(document.createElement(tag), props);
    node.append(...children);
    return node;
  };

  const time = (iso) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

  const item = (r) => {
    const title = 'Receipt ' + (r.index + 1) + ', printed at ' + time(r.receivedAt) + (r.cut ? '' : ' (not cut)');
    const headingId = 'receipt-' + r.index;
    const img = el('img', {
      src: '/receipts/' + r.index + '.png?at=' + encodeURIComponent(r.receivedAt),
      alt: 'Receipt ' + (r.index + 1) + ' as printed; its text follows.',
      loading: 'lazy',
    });
    const text = el('figure', {}, el('figcaption', {}, 'Decoded text'), el('pre', {}, r.lines.join('\\n')));
    const article = el('article', {}, el('h2', { id: headingId }, title), el('figure', {}, img), text);
    article.setAttribute('aria-labelledby', headingId);
    const li = el('li', {}, article);
    li.dataset.index = String(r.index);
    return li;
  };

  const refreshEmpty = () => { empty.hidden = list.children.length > 0; };

  const show = (receipts) => {
    list.replaceChildren(...receipts.slice().reverse().map(item));
    refreshEmpty();
  };

  const add = (r) => {
    if (list.querySelector('li[data-index="' + r.index + '"]')) return;
    list.prepend(item(r));
    refreshEmpty();
    news.textContent = 'New receipt: ' + (r.lines.find((l) => l.trim() !== '') || 'receipt ' + (r.index + 1));
  };

  const showState = (s) => {
    const problems = [];
    if (s.paperOut) problems.push('out of paper');
    else if (s.paperNearEnd) problems.push('paper nearly out');
    if (s.coverOpen) problems.push('cover open');
    if (s.offline) problems.push('offline');
    if (s.cutterError) problems.push('cutter jammed');
    stateLine.textContent = 'Printer: ' + (problems.length ? problems.join(', ') : 'ready') + '. ' + s.receipts + ' receipt' + (s.receipts === 1 ? '' : 's') + '.';
    stateLine.classList.toggle('problem', problems.length > 0);
  };

  const load = async () => {
    const [receipts, status] = await Promise.all([
      fetch('/receipts.json', { cache: 'no-store' }).then((r) => r.json()),
      fetch('/status', { cache: 'no-store' }).then((r) => r.json()),
    ]);
    show(receipts);
    showState(status);
  };

  const events = new EventSource('/events');
  events.addEventListener('receipt', (e) => add(JSON.parse(e.data)));
  events.addEventListener('status', (e) => showState(JSON.parse(e.data)));
  events.addEventListener('cleared', () => show([]));
  // On (re)connect, catch up with whatever was printed meanwhile.
  events.addEventListener('open', () => { load().catch(() => { stateLine.textContent = 'The virtual printer does not answer.'; }); });
  events.addEventListener('error', () => { stateLine.textContent = 'Reconnecting to the virtual printer…'; stateLine.classList.add('problem'); });
})();
`;
