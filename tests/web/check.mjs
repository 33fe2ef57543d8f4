// Browser checks of the web edition, driven by tests/web.rs (`cargo test --test web`).
//
//   node check.mjs axe    OUT PAGE...          axe-core on each page: screen (light and dark
//                                              colour schemes) and print media
//   node check.mjs reader OUT FICHE            from file://: the sommaire beside the text at
//                                              1280 px, the menu at 390 px, search, dark mode
//   node check.mjs bench  OUT WORD...          search timing per keystroke (file://)
//   node check.mjs crawl  OUT http|file [opts] every page loaded, every request and relative link
//   node check.mjs layout OUT SHOTS            360 px and 1280 px: no horizontal scrolling,
//                                              reading width, legibility, focus; screenshots
//   node check.mjs printpage OUT SHOTS         print.html from file:// on a phone (390 px) and
//                                              at 1280 px, with and without JavaScript: sheet
//                                              width on screen, the Imprimer button, the note
//
// crawl options: --prefix /guide/ (http sub-path), --port N (0: any), --missing PATH (also load
// a URL that does not exist and expect the site's 404 page, fully working, in its place).
//
// Chromium is the one given in LIVRET_CHROMIUM_PATH (default /usr/bin/chromium), started by
// playwright-core with a throw-away profile; nothing is downloaded. The static server is ours:
// loopback only, inside OUT only, GET/HEAD only, closed at the end. Each command prints one JSON
// object on stdout: { summary: {…counts}, problems: [strings] }; the Rust test asserts on it.

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const problems = [];
const summary = {};
const problem = (text) => problems.push(text);

async function launch() {
  return chromium.launch({
    executablePath: process.env.LIVRET_CHROMIUM_PATH || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
}

/** The HTML pages of OUT, sorted. */
function htmlPages(out) {
  return fs
    .readdirSync(out)
    .filter((f) => f.endsWith('.html'))
    .sort();
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.pdf': 'application/pdf',
  '.xml': 'application/xml',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * A static server for OUT under PREFIX on 127.0.0.1, like a static host: a folder URL serves its
 * index.html, a missing file gets 404.html with status 404 (GitHub Pages, Netlify).
 */
async function serve(out, prefix, port) {
  const root = fs.realpathSync(out);
  const served = [];
  const server = http.createServer((req, res) => {
    req.setTimeout(10_000);
    const send = (status, body, type, headers = {}) => {
      served.push([status, req.url]);
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send(405, 'method not allowed', 'text/plain');
    }
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
    } catch {
      return send(400, 'bad request', 'text/plain');
    }
    if (pathname + '/' === prefix) {
      return send(301, '', 'text/plain', { location: prefix });
    }
    if (!pathname.startsWith(prefix)) {
      return send(404, 'outside the site', 'text/plain');
    }
    let rel = pathname.slice(prefix.length);
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    const file = path.resolve(root, rel);
    if (!file.startsWith(root + path.sep)) {
      return send(403, 'forbidden', 'text/plain');
    }
    if (fs.existsSync(file) && fs.statSync(file).isFile()) {
      const type = TYPES[path.extname(file)] || 'application/octet-stream';
      return send(200, fs.readFileSync(file), type);
    }
    const notFound = path.join(root, '404.html');
    if (fs.existsSync(notFound)) {
      return send(404, fs.readFileSync(notFound), TYPES['.html']);
    }
    return send(404, 'not found', 'text/plain');
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    base: origin + prefix,
    served,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** A page that records every request, and fails on those that fail or leave the site. */
async function trackedPage(context, label, allowed, expectedStatus = new Map()) {
  const page = await context.newPage();
  const requests = new Set();
  page.on('request', (r) => requests.add(r.url()));
  page.on('requestfailed', (r) => {
    problem(`${label()}: request failed: ${r.url()} (${r.failure()?.errorText})`);
  });
  page.on('response', (r) => {
    const expected = expectedStatus.get(r.url()) ?? 200;
    if (r.status() !== expected && !(r.status() === 304 && expected === 200)) {
      problem(`${label()}: ${r.url()} answered ${r.status()}, expected ${expected}`);
    }
  });
  page.on('pageerror', (e) => problem(`${label()}: script error: ${e.message}`));
  page.on('console', (m) => {
    // The browser also logs an expected 404 of the page itself: that one is not a problem.
    const expected = expectedStatus.get(m.location()?.url) ?? 200;
    if (m.type() === 'error' && !(expected !== 200 && /status of 404/.test(m.text()))) {
      problem(`${label()}: console error: ${m.text()}`);
    }
  });
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (allowed(url)) return route.continue();
    problem(`${label()}: request leaves the site: ${url}`);
    return route.abort();
  });
  return { page, requests };
}

async function axe(out, pages) {
  const server = await serve(out, '/guide/', 0);
  const browser = await launch();
  const results = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    for (const name of pages) {
      for (const [media, colorScheme] of [['screen', 'light'], ['screen', 'dark'], ['print', 'light']]) {
        const label = () => `${name} (${media}, ${colorScheme})`;
        const { page } = await trackedPage(context, label, (u) => u.startsWith(server.origin));
        await page.emulateMedia({ media, colorScheme });
        await page.goto(server.base + name, { waitUntil: 'load' });
        await page.evaluate(() => document.fonts.ready);
        await page.addScriptTag({ content: AXE_SOURCE });
        const result = await page.evaluate(async () => {
          // Every rule axe ships except the experimental ones: WCAG 2.x A/AA and best practices.
          const r = await window.axe.run(document, { resultTypes: ['violations'] });
          return {
            rules: r.passes.length + r.violations.length + r.incomplete.length + r.inapplicable.length,
            // "Needs review": reported, not failed (axe cannot decide them).
            incomplete: r.incomplete.map((i) => `${i.id} (${i.nodes.length})`),
            violations: r.violations.map((v) => ({
              id: v.id,
              impact: v.impact,
              help: v.help,
              nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`),
            })),
          };
        });
        results.push({
          page: name,
          media,
          colorScheme,
          rules: result.rules,
          violations: result.violations.length,
          incomplete: result.incomplete,
        });
        for (const v of result.violations) {
          problem(`${label()}: axe ${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 5).join('\n    ')}`);
        }
        await page.close();
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  summary.pages = results;
}

/** Absolute URL without its fragment. */
const noHash = (u) => {
  const url = new URL(u);
  url.hash = '';
  return url.href;
};

async function crawl(out, mode, opts) {
  const pages = htmlPages(out);
  const server = mode === 'http' ? await serve(out, opts.prefix, opts.port) : null;
  const base = server ? server.base : pathToFileURL(fs.realpathSync(out) + path.sep).href;
  const local = (u) => (server ? u.startsWith(server.origin + '/') : u.startsWith('file:'));
  const browser = await launch();
  const ids = new Map(); // page URL → ids in it
  const links = new Map(); // link URL → the pages linking to it
  let requestCount = 0;
  const visits = pages.map((name) => ({ name, url: base + name, status: 200 }));
  if (opts.missing) {
    if (!server) throw new Error('--missing needs http');
    visits.push({ name: `${opts.missing} (missing)`, url: base + opts.missing, status: 404 });
  }
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    for (const visit of visits) {
      const label = () => visit.name;
      const { page, requests } = await trackedPage(
        context,
        label,
        local,
        new Map([[visit.url, visit.status]]),
      );
      const response = await page.goto(visit.url, { waitUntil: 'load' });
      if (server && response?.status() !== visit.status) {
        problem(`${visit.name}: status ${response?.status()}, expected ${visit.status}`);
      }
      await page.evaluate(() => document.fonts.ready);
      const found = await page.evaluate(() => ({
        ids: [...document.querySelectorAll('[id]')].map((e) => e.id),
        links: [...document.querySelectorAll('a[href]')].map((a) => a.href),
        stylesheets: [...document.styleSheets].filter((s) => s.href).length,
        fonts: [...document.fonts].filter((f) => f.status === 'loaded').length,
        failedFonts: [...document.fonts].filter((f) => f.status === 'error').map((f) => f.family),
      }));
      if (found.stylesheets === 0) problem(`${visit.name}: no stylesheet applied`);
      if (found.failedFonts.length) problem(`${visit.name}: fonts failed: ${found.failedFonts}`);
      if (found.fonts === 0) problem(`${visit.name}: no bundled font loaded`);
      ids.set(noHash(visit.url), new Set(found.ids));
      for (const href of found.links) {
        if (!local(href)) continue; // another site: not ours to check, and no network in tests
        if (!links.has(href)) links.set(href, new Set());
        links.get(href).add(visit.name);
      }
      requestCount += requests.size;
      await page.close();
    }
  } finally {
    await browser.close();
  }
  // Every link into the site: its target exists, and so does the element its fragment names.
  let checked = 0;
  for (const [href, from] of links) {
    const where = [...from].slice(0, 3).join(', ');
    const target = noHash(href);
    const fragment = decodeURIComponent(new URL(href).hash.slice(1));
    checked += 1;
    if (ids.has(target)) {
      if (fragment && !ids.get(target).has(fragment)) {
        problem(`link ${href} (from ${where}): no element with id "${fragment}"`);
      }
    } else if (server) {
      const r = await fetch(target, { method: 'HEAD' });
      if (r.status !== 200) problem(`link ${href} (from ${where}): ${r.status}`);
    } else if (!fs.existsSync(fileURLToPath(target))) {
      problem(`link ${href} (from ${where}): no such file`);
    }
  }
  // Every url() of every stylesheet (fonts that no page happens to use included).
  let cssUrls = 0;
  for (const css of fs.readdirSync(out).filter((f) => f.endsWith('.css'))) {
    const text = fs.readFileSync(path.join(out, css), 'utf8');
    for (const m of text.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)) {
      if (/^(data|https?):/.test(m[1])) continue;
      cssUrls += 1;
      const target = new URL(m[1], base + css).href;
      if (server) {
        const r = await fetch(target, { method: 'HEAD' });
        if (r.status !== 200) problem(`${css}: url(${m[1]}) → ${r.status}`);
      } else if (!fs.existsSync(fileURLToPath(target))) {
        problem(`${css}: url(${m[1]}) → no such file`);
      }
    }
  }
  if (server) await server.close();
  Object.assign(summary, {
    base,
    pages: visits.length,
    requests: requestCount,
    links: checked,
    css_urls: cssUrls,
    served: server ? server.served.length : 0,
  });
}

async function layout(out, shots) {
  const server = await serve(out, '/guide/', 0);
  const browser = await launch();
  const pages = htmlPages(out).filter((p) => p !== 'print.html');
  const measures = [];
  fs.mkdirSync(shots, { recursive: true });
  try {
    for (const [width, height] of [
      [360, 740],
      [1280, 900],
    ]) {
      const context = await browser.newContext({ viewport: { width, height } });
      for (const name of pages) {
        const label = () => `${name} @${width}px`;
        const { page } = await trackedPage(context, label, (u) => u.startsWith(server.origin));
        await page.goto(server.base + name, { waitUntil: 'load' });
        await page.evaluate(() => document.fonts.ready);
        const m = await page.evaluate(() => {
          const px = (e, prop) => parseFloat(getComputedStyle(e)[prop]);
          // Text smaller than 13 px is hard to read on a phone.
          const small = [];
          const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
          for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            const el = n.parentElement;
            if (!n.textContent.trim() || el.closest('.visually-hidden') || el.closest('sup')) continue;
            const size = px(el, 'fontSize');
            if (size < 13) small.push(`${el.tagName.toLowerCase()}.${el.className}: ${size}px`);
          }
          // Reading width: characters per line of the long paragraphs (not addresses and other
          // text broken by hand).
          const lines = [];
          for (const p of document.querySelectorAll('main .prose p')) {
            if (p.querySelector('br')) continue;
            const rect = p.getBoundingClientRect();
            const n = Math.round(rect.height / px(p, 'lineHeight'));
            if (n >= 4) lines.push(Math.round(p.textContent.length / n));
          }
          // Boxes whose content overflows them (a figure too wide for its card…).
          const overflowing = [...document.querySelectorAll('main *')]
            .filter((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible')
            .filter((e) => !e.classList.contains('visually-hidden'))
            .map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
          const outside = [...document.querySelectorAll('body *')]
            .filter((e) => {
              const r = e.getBoundingClientRect();
              return r.width > 0 && (r.right > innerWidth + 0.5 || r.left < -0.5) && !e.closest('.skip-link, .visually-hidden');
            })
            .map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
          const prose = document.querySelector('main .prose p');
          const figures = [...document.querySelectorAll('.figure')].map((f) => ({
            width: f.getBoundingClientRect().width,
            value: f.querySelector('.figure-value') ? px(f.querySelector('.figure-value'), 'fontSize') : null,
            label: px(f.querySelector('.figure-label'), 'fontSize'),
          }));
          return {
            scrollWidth: document.documentElement.scrollWidth,
            innerWidth,
            small: small.slice(0, 10),
            lines,
            overflowing,
            outside: outside.slice(0, 10),
            proseSize: prose ? px(prose, 'fontSize') : null,
            figures,
          };
        });
        measures.push({ page: name, width, ...m, small: m.small.length });
        if (m.scrollWidth > m.innerWidth) {
          problem(`${label()}: scrolls horizontally (scrollWidth ${m.scrollWidth} > ${m.innerWidth}); outside: ${m.outside.join(', ')}`);
        }
        if (m.outside.length) problem(`${label()}: elements outside the viewport: ${m.outside.join(', ')}`);
        if (m.small.length) problem(`${label()}: text under 13 px: ${m.small.join('; ')}`);
        if (m.overflowing.length) problem(`${label()}: content overflows its box: ${m.overflowing.join(', ')}`);
        if (m.proseSize !== null && m.proseSize < 16) problem(`${label()}: body text ${m.proseSize}px < 16px`);
        const maxLine = width >= 1000 ? 78 : 60;
        const minLine = width >= 1000 ? 45 : 30;
        for (const chars of m.lines) {
          if (chars > maxLine || chars < minLine) {
            problem(`${label()}: a paragraph runs ${chars} characters a line (want ${minLine}–${maxLine})`);
          }
        }
        for (const f of m.figures) {
          if (f.width < 140) problem(`${label()}: a key figure is squeezed into ${f.width}px`);
          if (f.value !== null && f.value < 24) problem(`${label()}: a key figure value is ${f.value}px`);
        }
        if (['index.html', 'riace.html'].includes(name)) {
          const file = path.join(shots, `${name.replace('.html', '')}-${width}.png`);
          await page.screenshot({ path: file, fullPage: true });
          (summary.screenshots ||= []).push(file);
        }
        await page.close();
      }
      await context.close();
    }
    // Keyboard: the skip link comes first and shows, focus is always visible, the skip link
    // lands in <main>.
    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    await page.goto(server.base + 'riace.html', { waitUntil: 'load' });
    const focused = [];
    for (let i = 0; i < 12; i += 1) {
      await page.keyboard.press('Tab');
      focused.push(
        await page.evaluate(() => {
          const e = document.activeElement;
          const s = getComputedStyle(e);
          const r = e.getBoundingClientRect();
          return {
            what: `${e.tagName.toLowerCase()}.${e.className}`,
            outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
            onScreen: r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth,
            skip: e.classList.contains('skip-link'),
          };
        }),
      );
      if (i === 0) await page.screenshot({ path: path.join(shots, 'focus-skip-link-360.png') });
    }
    if (!focused[0].skip) problem(`keyboard: the first Tab focuses ${focused[0].what}, not the skip link`);
    for (const f of focused) {
      if (!f.outline) problem(`keyboard: focus on ${f.what} has no visible outline`);
      if (!f.onScreen) problem(`keyboard: focused ${f.what} is off screen`);
    }
    await page.goto(server.base + 'riace.html', { waitUntil: 'load' });
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    const landed = await page.evaluate(() => document.activeElement.id);
    if (landed !== 'contenu') problem(`keyboard: the skip link leads focus to "${landed}", not main#contenu`);
    summary.focus_checked = focused.length;
    await context.close();
  } finally {
    await browser.close();
    await server.close();
  }
  summary.measures = measures;
}

/** Luminance of a CSS rgb() colour (0 black, 1 white). */
const luminance = (rgb) => {
  const [r, g, b] = (rgb.match(/[\d.]+/g) || [0, 0, 0]).map(Number).map((c) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};

/** Types `text` into the search box one key at a time; the results once it settles. */
async function typeSearch(page, text) {
  await page.fill('#search-input', '');
  await page.type('#search-input', text);
  await page.waitForFunction(() => !document.getElementById('search-results').hidden, null, { timeout: 10_000 });
  return page.$$eval('#search-results li:not(.search-empty)', (items) =>
    items.map((li) => ({
      href: li.querySelector('a').getAttribute('href'),
      title: li.querySelector('.search-result-title').textContent,
      marks: [...li.querySelectorAll('mark')].map((m) => m.textContent),
    })),
  );
}

/** axe on the page as it stands (a menu or the search results open); violations are problems. */
async function axeHere(page, label) {
  await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate(async () =>
    (await window.axe.run(document, { resultTypes: ['violations'] })).violations.map(
      (v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`,
    ),
  );
  for (const v of violations) problem(`${label}: axe ${v}`);
  (summary.axe_states ||= []).push({ state: label, violations: violations.length });
}

/** The reader's guide, from file://: sommaire, menu, search, keyboard, dark mode. */
async function reader(out, fiche) {
  const browser = await launch();
  const root = pathToFileURL(fs.realpathSync(out)).href + '/';
  try {
    // Wide screen: the sommaire beside the text, every fiche linked, the current one marked.
    const wide = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await wide.goto(root + fiche, { waitUntil: 'load' });
    const side = await wide.evaluate(() => {
      const nav = document.getElementById('nav-sommaire');
      const main = document.querySelector('main');
      const n = nav.getBoundingClientRect();
      const m = main.getBoundingClientRect();
      const current = nav.querySelectorAll('[aria-current="page"]');
      return {
        visible: n.width > 100 && n.height > 100 && getComputedStyle(nav).display !== 'none',
        beside: n.right <= m.left + 1 && n.top < m.bottom && m.top < n.bottom,
        links: [...nav.querySelectorAll('a.nav-link')].map((a) => a.getAttribute('href')),
        current: [...current].map((a) => a.getAttribute('href')),
        headerPosition: getComputedStyle(document.querySelector('.site-header')).position,
        button: getComputedStyle(document.querySelector('.menu-button')).display,
      };
    });
    await wide.evaluate(() => window.scrollTo(0, 3000));
    side.headerTopAfterScroll = await wide.evaluate(() => document.querySelector('.site-header').getBoundingClientRect().top);
    summary.wide = side;
    if (!side.visible || !side.beside) problem(`1280 px: the sommaire is not beside the text: ${JSON.stringify(side)}`);
    if (side.current.length !== 1 || side.current[0] !== fiche) problem(`1280 px: current page marked ${side.current}`);
    if (side.headerTopAfterScroll !== 0) problem(`header scrolled away: top ${side.headerTopAfterScroll}`);

    // Search: loaded on first use, accents and case folded, prefixes, keyboard.
    const before = await wide.evaluate(() => typeof window.livretSearch);
    if (before !== 'undefined') problem('the search index loaded before search was used');
    await wide.keyboard.press('/');
    const focused = await wide.evaluate(() => document.activeElement && document.activeElement.id);
    if (focused !== 'search-input') problem(`"/" focused ${focused}`);
    summary.search = {};
    for (const q of ['securite', 'etats-unis', 'ETATS-UNIS', 'municip']) {
      summary.search[q] = await typeSearch(wide, q);
    }
    await wide.keyboard.press('ArrowDown');
    await wide.keyboard.press('ArrowDown');
    await axeHere(wide, 'search results open (light)');
    const chosen = await wide.evaluate(() => document.activeElement.closest('#search-results') && document.activeElement.href);
    await Promise.all([wide.waitForNavigation(), wide.keyboard.press('Enter')]);
    summary.keyboard = { chosen, landed: wide.url() };
    if (wide.url() !== chosen) problem(`Enter opened ${wide.url()}, not ${chosen}`);
    await wide.close();

    // Phone: the menu button opens the sommaire.
    const phone = await browser.newPage({ viewport: { width: 390, height: 800 } });
    await phone.goto(root + 'index.html', { waitUntil: 'load' });
    const closed = await phone.evaluate(() => {
      const b = document.querySelector('.menu-button');
      const r = b.getBoundingClientRect();
      return { expanded: b.getAttribute('aria-expanded'), top: r.top, visible: r.width > 0,
        navShown: getComputedStyle(document.getElementById('nav-sommaire')).display !== 'none' };
    });
    await phone.click('.menu-button');
    const opened = await phone.evaluate(() => {
      const nav = document.getElementById('nav-sommaire');
      const r = nav.getBoundingClientRect();
      const first = nav.querySelector('a.nav-link').getBoundingClientRect();
      return { expanded: document.querySelector('.menu-button').getAttribute('aria-expanded'),
        navShown: getComputedStyle(nav).display !== 'none' && r.height > 200,
        firstLinkOnScreen: first.top >= 0 && first.bottom <= window.innerHeight,
        scrollWidth: document.documentElement.scrollWidth };
    });
    summary.phone = { closed, opened };
    await axeHere(phone, 'phone menu open (light)');
    if (!closed.visible || closed.expanded !== 'false' || closed.navShown || closed.top > 800) problem(`390 px before: ${JSON.stringify(closed)}`);
    if (opened.expanded !== 'true' || !opened.navShown || !opened.firstLinkOnScreen) problem(`390 px after: ${JSON.stringify(opened)}`);
    await phone.close();

    // Dark mode: a dark background, light text.
    const dark = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' });
    await dark.goto(root + fiche, { waitUntil: 'load' });
    const colours = await dark.evaluate(() => ({
      background: getComputedStyle(document.body).backgroundColor,
      text: getComputedStyle(document.body).color,
    }));
    summary.dark = { ...colours, background_luminance: luminance(colours.background), text_luminance: luminance(colours.text) };
    await dark.keyboard.press('/');
    await typeSearch(dark, 'etats-unis');
    await axeHere(dark, 'search results open (dark)');
    if (summary.dark.background_luminance > 0.05 || summary.dark.text_luminance < 0.5) problem(`dark mode: ${JSON.stringify(summary.dark)}`);
    await dark.close();
  } finally {
    await browser.close();
  }
}

/** Search speed: each WORD typed key by key from file://, the matching time of each keystroke. */
async function bench(out, words) {
  const browser = await launch();
  const root = pathToFileURL(fs.realpathSync(out)).href + '/';
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(root + 'index.html', { waitUntil: 'load' });
    const t0 = Date.now();
    await page.focus('#search-input');
    await page.type('#search-input', 'a');
    await page.waitForFunction(() => window.livretSearchLastMs !== undefined, null, { timeout: 30_000 });
    summary.first_load_ms = Date.now() - t0;
    const times = [];
    for (const word of words) {
      await page.fill('#search-input', '');
      for (let i = 1; i <= word.length; i++) {
        const ms = await page.evaluate((q) => {
          const input = document.getElementById('search-input');
          input.value = q;
          const t = performance.now();
          input.dispatchEvent(new Event('input'));
          return performance.now() - t;
        }, word.slice(0, i));
        times.push(ms);
      }
    }
    times.sort((a, b) => a - b);
    summary.keystrokes = times.length;
    summary.median_ms = times[Math.floor(times.length / 2)];
    summary.max_ms = times[times.length - 1];
    summary.index_bytes = fs.statSync(path.join(out, 'search-index.js')).size;
    summary.html_bytes = htmlPages(out).reduce((n, f) => n + fs.statSync(path.join(out, f)).size, 0);
  } finally {
    await browser.close();
  }
}

async function printpage(out, shots) {
  const browser = await launch();
  const url = pathToFileURL(path.join(out, 'print.html')).href;
  fs.mkdirSync(shots, { recursive: true });
  const measure = () => {
    const shown = (e) => !!e && getComputedStyle(e).display !== 'none' && e.getBoundingClientRect().width > 0;
    const sheet = document.querySelector('.sheet');
    const button = document.querySelector('[data-print]');
    const note = document.querySelector('.print-note');
    const scale = window.visualViewport ? window.visualViewport.scale : 1;
    return {
      scale,
      // What a reader sees, in screen pixels.
      sheetOnScreen: sheet.getBoundingClientRect().width * scale,
      pageOnScreen: document.documentElement.scrollWidth * scale,
      screen: window.visualViewport ? window.visualViewport.width * scale : innerWidth,
      button: shown(button),
      buttonLabel: button ? button.textContent.trim() : null,
      note: shown(note),
      noteText: note ? note.textContent.replace(/\s+/g, ' ').trim() : null,
    };
  };
  try {
    for (const [name, options] of [
      ['phone', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 }],
      ['wide', { viewport: { width: 1280, height: 900 } }],
      ['phone-nojs', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, javaScriptEnabled: false }],
    ]) {
      const context = await browser.newContext(options);
      const page = await context.newPage();
      await page.goto(url, { waitUntil: 'load' });
      await page.evaluate(() => document.fonts.ready);
      const m = await page.evaluate(measure);
      if (name !== 'phone-nojs') {
        // The button opens the print dialog: window.print, observed.
        m.printed = await page.evaluate(() => {
          let called = 0;
          window.print = () => { called += 1; };
          const b = document.querySelector('[data-print]');
          if (b && !b.hidden) b.click();
          return called;
        });
        const file = path.join(shots, `print-${name}.png`);
        await page.screenshot({ path: file });
        (summary.screenshots ||= []).push(file);
      }
      summary[name] = m;
      await context.close();
    }
  } finally {
    await browser.close();
  }
}

async function main() {
  const [command, out, ...rest] = process.argv.slice(2);
  if (!out || !fs.existsSync(path.join(out, 'index.html'))) {
    throw new Error(`usage: node check.mjs axe|crawl|layout OUT …  (no index.html in ${out})`);
  }
  if (command === 'axe') {
    await axe(out, rest);
  } else if (command === 'crawl') {
    const [mode, ...args] = rest;
    const opts = { prefix: '/guide/', port: 0, missing: null };
    for (let i = 0; i < args.length; i += 2) opts[args[i].replace(/^--/, '')] = args[i + 1];
    opts.port = Number(opts.port);
    if (!['http', 'file'].includes(mode)) throw new Error('crawl needs http or file');
    await crawl(out, mode, opts);
  } else if (command === 'reader') {
    await reader(out, rest[0]);
  } else if (command === 'bench') {
    await bench(out, rest);
  } else if (command === 'layout') {
    await layout(out, rest[0]);
  } else if (command === 'printpage') {
    await printpage(out, rest[0]);
  } else {
    throw new Error(`unknown command ${command}`);
  }
  process.stdout.write(JSON.stringify({ summary, problems }) + '\n');
}

const watchdog = setTimeout(() => {
  console.error('check.mjs: gave up after 240 s');
  process.exit(3);
}, 240_000);
watchdog.unref();

main().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(2);
});
