/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The kiosk renders `html_name` through DOMPurify with SANITIZE_CONFIG. Here the same library
// and config run in Chromium on hostile service names, and the result is put into a live page:
// nothing may run, load or keep a handler, and the harmless formatting must survive.
import { createRequire } from 'node:module';
import { expect, test } from '@playwright/test';
import { SANITIZE_CONFIG } from '../../renderer/common/sanitize-config.js';
import { t } from '../../shared/i18n/index.js';
import {
  KIOSK_VIEWPORT,
  demoState,
  kioskHome,
  saveScreenshot,
  updateDemoService,
  withBridge,
} from './support.js';

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

// The same through the real path: the hub's CLI sets a hostile `html_name` on a demo service,
// the running hub pushes it to the kiosk runtime, and the kiosk page shows it.
const SERVICE = 'demo-priority';
const KIOSK_PAYLOAD = [
  '<b class="hn-bold">Priority</b><br><i>reduced mobility</i>',
  '<script>window.__pwned = "script"</script>',
  '<img src="http://evil.example/pixel.png" onerror="window.__pwned = \'onerror\'">',
  '<span class="hn-click" onclick="window.__pwned = \'onclick\'">desk</span>',
  '<a href="javascript:window.__pwned=\'javascript\'">link</a>',
  '<style>.kiosk { display: none } body { background: url(http://evil.example/bg.png) }</style>',
  '<iframe src="http://evil.example/frame" onload="window.__pwned = \'iframe\'"></iframe>',
].join('');

test('a hostile html_name set on the hub reaches the kiosk inert', async ({ browser }) => {
  const state = demoState();
  const original = await withBridge(state.kiosk, async (api) => {
    const s = await api.getState();
    return s.store?.services.find((x) => x.id === SERVICE)?.htmlName ?? {};
  });
  const context = await browser.newContext({ viewport: KIOSK_VIEWPORT });
  // Anything that is not the runtime on 127.0.0.1 is a load the payload caused.
  const remote: string[] = [];
  context.on('request', (r) => {
    const url = new URL(r.url());
    if (url.protocol.startsWith('http') && url.hostname !== '127.0.0.1') remote.push(r.url());
  });
  await context.route('http://evil.example/**', (route) => route.abort());
  const page = await context.newPage();
  try {
    await page.goto(state.kiosk);
    await kioskHome(page);
    updateDemoService(SERVICE, { htmlName: { ...original, EN: KIOSK_PAYLOAD } });
    const button = page.locator(`.service-btn[data-service-id="${SERVICE}"]`);
    // The formatting renders: bold, the line break, italics.
    await expect(button.locator('.service-name b.hn-bold')).toHaveText('Priority', {
      timeout: 20_000,
    });
    await expect(button.locator('.service-name br')).toHaveCount(1);
    await expect(button.locator('.service-name i')).toHaveText('reduced mobility');
    const bold = await button.locator('b.hn-bold').evaluate((b) => getComputedStyle(b).fontWeight);
    expect(Number(bold)).toBeGreaterThanOrEqual(700);
    // The <style> did not hide the kiosk, and nothing of the rest survived.
    await expect(page.locator('.kiosk')).toBeVisible();
    await expect(
      button.locator('.service-name').locator('script, img, a, style, iframe'),
    ).toHaveCount(0);
    await expect(button).toContainText('desk');
    await expect(button).not.toContainText(/pwned|display/);
    // Tapping it (and the span that had onclick) runs nothing; it still leads to the next step.
    await button.locator('.hn-click').click();
    await expect(page.getByRole('heading', { name: t('EN', 'kiosk.howToNotify') })).toBeVisible();
    await page.waitForLoadState('networkidle');
    const dom = await page.evaluate(() => ({
      pwned: (globalThis as { __pwned?: string }).__pwned ?? null,
      handlers: [...document.querySelectorAll('*')].flatMap((e) =>
        [...e.attributes]
          .filter((a) => a.name.startsWith('on') || /^\s*javascript:/i.test(a.value))
          .map((a) => `${e.tagName.toLowerCase()}[${a.name}]`),
      ),
      frames: document.querySelectorAll('iframe, script[src*="evil"]').length,
    }));
    expect(dom.pwned).toBeNull();
    expect(dom.handlers).toEqual([]);
    expect(dom.frames).toBe(0);
    expect(remote).toEqual([]);
    await saveScreenshot(page, 'kiosk-hostile-html-name');
  } finally {
    await context.close();
    updateDemoService(SERVICE, { htmlName: original });
    // Later tests find the kiosk with the service as it was.
    await expect
      .poll(
        () =>
          withBridge(state.kiosk, async (api) => {
            const s = await api.getState();
            return s.store?.services.find((x) => x.id === SERVICE)?.htmlName;
          }),
        { timeout: 20_000 },
      )
      .toEqual(original);
  }
});
