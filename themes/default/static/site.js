// The web edition's enhancements; every page reads without them. The menu button opens the
// sommaire on narrow screens; the search box loads search-index.js (a script, so it works from
// file:// too) the first time it is used, and matches without accents or case, by prefix; the
// print edition's "Imprimer" button opens the print dialog.
(function () {
  'use strict';
  var doc = document;
  doc.documentElement.classList.add('js');
  var script = doc.currentScript;
  var base = script ? script.src.replace(/[^/]*$/, '') : '';
  var indexName = (script && script.getAttribute('data-search-index')) || 'search-index.js';

  function setup() {
    var header = doc.querySelector('.site-header');
    var measure = function () {
      if (header) doc.documentElement.style.setProperty('--header-h', header.offsetHeight + 'px');
    };
    window.addEventListener('resize', measure);
    menu(measure);
    search();
    printButtons();
    measure(); // once the menu button and the search box show
  }

  function menu(measure) {
    var button = doc.querySelector('.menu-button');
    var nav = doc.getElementById('nav-sommaire');
    if (!button || !nav) return;
    button.hidden = false;
    var set = function (open) {
      measure();
      button.setAttribute('aria-expanded', open ? 'true' : 'false');
      nav.classList.toggle('open', open);
    };
    button.addEventListener('click', function () {
      set(button.getAttribute('aria-expanded') !== 'true');
    });
    doc.addEventListener('keydown', function (e) {
      if (e.key === 'Escape' && button.getAttribute('aria-expanded') === 'true') {
        set(false);
        button.focus();
      }
    });
  }

  // The print edition's "Imprimer" buttons: hidden in the HTML, so that without JavaScript
  // none shows that could not work (the browser's own menu prints then).
  function printButtons() {
    var buttons = doc.querySelectorAll('[data-print]');
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener('click', function () { window.print(); });
    }
  }

  // Folding keeps one character for one: positions in the folded text are positions in the
  // original, so the match can be highlighted. Letters lose their accents and case; anything
  // else that is not a letter or digit becomes a space (so "États-Unis" reads "etats unis").
  var folded = {};
  function foldChar(c) {
    var f = folded[c];
    if (f === undefined) {
      f = c.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
      if (f.length !== 1) f = f.charAt(0) || ' ';
      if (!/[\p{L}\p{N}]/u.test(f)) f = ' ';
      folded[c] = f;
    }
    return f;
  }
  function fold(text) {
    var out = '';
    for (var i = 0; i < text.length; i++) out += foldChar(text.charAt(i));
    return out;
  }
  function words(query) {
    return fold(query).split(' ').filter(Boolean);
  }
  // Where `word` starts a word of `text` (folded), from `from`; -1 if nowhere.
  function find(text, word, from) {
    var at = text.indexOf(word, from);
    while (at > 0 && text.charAt(at - 1) !== ' ') at = text.indexOf(word, at + 1);
    return at;
  }

  var pages = null;
  var waiting = null; // callbacks while the index loads
  function load(then) {
    if (pages) return then();
    if (waiting) return waiting.push(then);
    waiting = [then];
    var s = doc.createElement('script');
    s.src = base + indexName;
    s.onload = function () {
      pages = (window.livretSearch || []).map(function (p) {
        return { page: p, title: fold(p.t), text: fold(p.x) };
      });
      // Only the last callback matters: each runs the query typed so far.
      var last = waiting[waiting.length - 1];
      waiting = null;
      last();
    };
    doc.head.appendChild(s);
  }

  function query(q) {
    var ws = words(q);
    if (!ws.length) return [];
    var hits = [];
    for (var i = 0; i < pages.length; i++) {
      var p = pages[i];
      var score = 0;
      var first = -1;
      for (var k = 0; k < ws.length; k++) {
        var inTitle = find(p.title, ws[k], 0) >= 0;
        var at = find(p.text, ws[k], 0);
        if (!inTitle && at < 0) { score = -1; break; }
        score += inTitle ? 10 : 1;
        if (k === 0) first = at;
      }
      if (score > 0) hits.push({ p: p, score: score, at: first, order: i });
    }
    hits.sort(function (a, b) { return b.score - a.score || a.order - b.order; });
    return hits.slice(0, 20);
  }

  function snippet(hit, ws, li) {
    var text = hit.p.page.x;
    var at = hit.at < 0 ? 0 : hit.at;
    var start = Math.max(0, text.lastIndexOf(' ', Math.max(0, at - 60)) + 1);
    var end = Math.min(text.length, at + 120);
    var part = text.slice(start, end);
    var f = hit.p.text.slice(start, end);
    var marks = [];
    ws.forEach(function (w) {
      for (var m = find(f, w, 0); m >= 0; m = find(f, w, m + w.length)) marks.push([m, m + w.length]);
    });
    marks.sort(function (a, b) { return a[0] - b[0]; });
    var span = doc.createElement('span');
    span.className = 'search-result-snippet';
    var pos = 0;
    if (start > 0) span.appendChild(doc.createTextNode('… '));
    marks.forEach(function (m) {
      if (m[0] < pos) return;
      span.appendChild(doc.createTextNode(part.slice(pos, m[0])));
      var mark = doc.createElement('mark');
      mark.textContent = part.slice(m[0], m[1]);
      span.appendChild(mark);
      pos = m[1];
    });
    span.appendChild(doc.createTextNode(part.slice(pos) + (end < text.length ? ' …' : '')));
    li.appendChild(span);
  }

  function search() {
    var box = doc.querySelector('.search');
    var input = doc.getElementById('search-input');
    var list = doc.getElementById('search-results');
    var status = doc.getElementById('search-status');
    if (!box || !input || !list) return;
    box.hidden = false;
    // The results are a plain list of links: arrows move the focus through them, Enter
    // follows the focused one (the browser's own), Escape comes back to the field.
    var show = function (open) {
      list.hidden = !open;
    };
    var links = function () {
      return Array.prototype.slice.call(list.querySelectorAll('a'));
    };
    var move = function (from, step) {
      var all = links();
      if (!all.length) return;
      var k = all.indexOf(from);
      if (k < 0 && step < 0) return;
      var next = k + step;
      if (next < 0) return input.focus();
      all[Math.min(next, all.length - 1)].focus();
    };
    var run = function () {
      var q = input.value;
      var t0 = performance.now();
      var hits = query(q);
      var ws = words(q);
      list.textContent = '';
      hits.forEach(function (hit) {
        var li = doc.createElement('li');
        var a = doc.createElement('a');
        a.href = base + hit.p.page.u;
        var title = doc.createElement('span');
        title.className = 'search-result-title';
        title.textContent = (hit.p.page.n ? 'n° ' + hit.p.page.n + ' · ' : '') + hit.p.page.t;
        a.appendChild(title);
        snippet(hit, ws, a);
        li.appendChild(a);
        list.appendChild(li);
      });
      if (!hits.length && ws.length) {
        var none = doc.createElement('li');
        none.className = 'search-empty';
        none.textContent = box.getAttribute('data-none') || '';
        list.appendChild(none);
      }
      window.livretSearchLastMs = performance.now() - t0;
      if (status) status.textContent = ws.length ? hits.length + ' ' + (box.getAttribute('data-count') || '') : '';
      show(ws.length > 0);
    };
    input.addEventListener('focus', function () { load(function () {}); });
    input.addEventListener('input', function () { load(run); });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'ArrowDown') { e.preventDefault(); move(null, 1); }
      else if (e.key === 'Enter') {
        var first = links()[0];
        if (first) { e.preventDefault(); window.location.href = first.href; }
      } else if (e.key === 'Escape') { show(false); }
    });
    list.addEventListener('keydown', function (e) {
      if (e.key === 'ArrowDown') { e.preventDefault(); move(e.target, 1); }
      else if (e.key === 'ArrowUp') { e.preventDefault(); move(e.target, -1); }
      else if (e.key === 'Escape') { show(false); input.focus(); }
    });
    doc.addEventListener('keydown', function (e) {
      var t = e.target;
      var typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
      if (e.key === '/' && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
        e.preventDefault();
        input.focus();
      }
    });
    doc.addEventListener('click', function (e) { if (!box.contains(e.target)) show(false); });
  }

  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', setup);
  else setup();
})();
