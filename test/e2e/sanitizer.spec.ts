/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The kiosk renders `html_name` through DOMPurify with SANITIZE_CONFIG. Here the same library
// and config run in Chromium on hostile service names, and the result is put into a live page:
// nothing may run, load or keep a handler, and the harmless formatting must survive.
import { createRequire } from 'node:module';
import { expect, test } from '@playwright/test';
import { SANITIZE_CONFIG } from '../../renderer/common/sanitize-config.js';

const purifyPath = createRequire(import.meta.url).resolve('dompurify/dist/purify.js');

const HOSTILE = [
  '<b>Sales</b><script>window.__pwned = 1</script>',
  '<img src="http://evil.example/pixel.png" onerror="window.__pwned = 2">Repair',
  '<span onclick="window.__pwned = 3" style="background:url(http://evil.example/bg.png)">Accessories</span>',
  '<iframe src="http://evil.example/frame"></iframe><i>Support</i>',
  '<svg><image href="http://evil.example/svg.png" /><script>window.__pwned = 4</script></svg>',
  '<a href="javascript:window.__pwned=5">Tap</a><details open ontoggle="window.__pwned=6">x</details>',
  '<math><mtext><table><mglyph><style><img src=x onerror="window.__pwned=7"></style></mglyph></table></mtext></math>',
  '<link rel="stylesheet" href="http://evil.example/x.css"><p class="big" data-x="1">Phone <em>repair</em></p>',
];

test('hostile html_name is stripped to inert formatting', async ({ page }) => {
  const remote: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('evil.example')) remote.push(r.url());
  });
  await page.route('http://evil.example/**', (route) => route.abort());
  await page.setContent('<main id="out"></main>');
  await page.addScriptTag({ path: purifyPath });

  const cleaned = await page.evaluate(
    ({ inputs, config }) => {
      const purify = (
        globalThis as unknown as { DOMPurify: { sanitize(html: string, cfg: unknown): string } }
      ).DOMPurify;
      const out = document.getElementById('out') as HTMLElement;
      return inputs.map((html) => {
        const clean = purify.sanitize(html, config);
        const holder = document.createElement('div');
        holder.innerHTML = clean;
        out.appendChild(holder);
        return clean;
      });
    },
    { inputs: HOSTILE, config: SANITIZE_CONFIG },
  );
  await page.waitForLoadState('networkidle');

  const dom = await page.evaluate(() => {
    const out = document.getElementById('out') as HTMLElement;
    const all = [...out.querySelectorAll('*')];
    return {
      tags: [...new Set(all.map((e) => e.tagName.toLowerCase()))].sort(),
      attributes: [...new Set(all.flatMap((e) => [...e.attributes].map((a) => a.name)))].sort(),
      text: out.textContent ?? '',
      pwned: (globalThis as { __pwned?: number }).__pwned ?? null,
    };
  });
  expect(dom.pwned).toBeNull();
  expect(remote).toEqual([]);
  for (const tag of dom.tags) expect(['div', 'b', 'i', 'em', 'span', 'p', 'strong']).toContain(tag);
  for (const attribute of dom.attributes) expect(['class']).toContain(attribute);
  expect(cleaned[0]).toBe('<b>Sales</b>');
  expect(cleaned[7]).toBe('<p class="big">Phone <em>repair</em></p>');
  expect(dom.text).toContain('Repair');
  expect(dom.text).toContain('Accessories');
});
