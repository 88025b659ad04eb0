// paperseek's search page: plain JavaScript over the JSON API, no framework.
//
// Safety: every value from the API is inserted as text (textContent, text
// nodes, attribute values), never as HTML. Snippets arrive HTML-escaped
// with <mark> around matched words; they are rebuilt here as text nodes and
// <mark> elements, never parsed as markup. Links to paper URLs are made only
// for http(s) URLs.
//
// State lives in the URL fragment (#q=…&mode=…&sort=…&year=… or #related=ID), so
// Back, reload and bookmarks work. The API token, when the server needs
// one, is asked for on the first 401, kept in localStorage and sent only in
// the Authorization header — never in a URL, so it stays out of history
// and server logs.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const form = $('search-form');
  const qInput = $('q');
  const modeSel = $('mode');
  const sortSel = $('sort');
  const yearInput = $('year');
  const tokenForm = $('token-form');
  const tokenInput = $('token');
  const tokenWhy = $('token-why');
  const forget = $('forget-token');
  const errorBox = $('error');
  const statusBox = $('status');
  const view = $('view');
  const heading = $('view-heading');
  const list = $('results');
  const backWrap = $('back-wrap');
  const back = $('back');

  const TOKEN_KEY = 'paperseek.token';
  const PAGE_SIZE = 20;
  const MODES = ['hybrid', 'keyword', 'semantic'];
  let lastSearch = ''; // fragment of the last search, for "Back"
  let seq = 0; // answers to superseded requests are dropped

  function getToken() {
    try { return localStorage.getItem(TOKEN_KEY) || ''; } catch (e) { return ''; }
  }
  function setToken(t) {
    try {
      if (t) localStorage.setItem(TOKEN_KEY, t); else localStorage.removeItem(TOKEN_KEY);
    } catch (e) { /* storage disabled: the token lasts until reload */ }
    forget.hidden = !t;
  }

  class APIError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  async function api(path) {
    const headers = { Accept: 'application/json' };
    const t = getToken();
    if (t) headers.Authorization = 'Bearer ' + t;
    let res;
    try {
      res = await fetch(path, { headers, cache: 'no-store' });
    } catch (e) {
      throw new APIError(0, 'network', 'cannot reach the paperseek server: is it still running?');
    }
    let body = null;
    try { body = await res.json(); } catch (e) { /* reported below */ }
    if (!res.ok) {
      const err = body && body.error ? body.error : { code: '', message: 'the server answered HTTP ' + res.status };
      throw new APIError(res.status, err.code, err.message);
    }
    return body;
  }

  function el(tag, cls, text) {
    const n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined && text !== null) n.textContent = text;
    return n;
  }

  // The server escapes with Go's html.EscapeString: exactly these five.
  const ENTITIES = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&#34;': '"', '&#39;': "'" };
  function unescapeHTML(s) {
    return s.replace(/&(?:lt|gt|amp|#34|#39);/g, (m) => ENTITIES[m]);
  }

  function snippet(s) {
    const p = el('p', 'snippet');
    let marked = false;
    for (const part of s.split(/(<mark>|<\/mark>)/)) {
      if (part === '<mark>') { marked = true; continue; }
      if (part === '</mark>') { marked = false; continue; }
      if (part === '') continue;
      const text = unescapeHTML(part);
      p.append(marked ? el('mark', null, text) : document.createTextNode(text));
    }
    return p;
  }

  function httpURL(u) {
    try {
      const url = new URL(u);
      return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : '';
    } catch (e) {
      return '';
    }
  }

  // Names holding a comma ("Vaswani, Ashish") are joined with "; " so that
  // two people never read as four (as `paperseek search` prints them).
  function authorsShort(a) {
    if (!a || a.length === 0) return '';
    const sep = a.some((n) => n.includes(',')) ? '; ' : ', ';
    return a.length <= 3 ? a.join(sep) : a.slice(0, 3).join(sep) + ' et al.';
  }

  function fragment(params) {
    const sp = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v) sp.set(k, v);
    return '#' + sp.toString();
  }

  function result(r) {
    const li = el('li', 'result');
    li.dataset.id = r.id;
    const title = el('h3', 'title');
    const url = httpURL(r.url || '');
    if (url) {
      const a = el('a', null, r.title || r.id);
      a.href = url;
      a.rel = 'noopener noreferrer';
      title.append(a);
    } else {
      title.textContent = r.title || r.id;
    }
    li.append(title);

    const meta = el('p', 'meta');
    const parts = [el('span', 'id', r.id)];
    if (r.year) parts.push(el('span', 'year', String(r.year)));
    const authors = authorsShort(r.authors);
    if (authors) parts.push(el('span', 'authors', authors));
    if (r.categories && r.categories.length) parts.push(el('span', 'categories', r.categories.join(' ')));
    if (typeof r.score === 'number') parts.push(el('span', 'score', 'score ' + r.score.toFixed(4)));
    parts.forEach((p, i) => {
      if (i > 0) meta.append(document.createTextNode(' · '));
      meta.append(p);
    });
    li.append(meta);

    if (r.snippet) li.append(snippet(r.snippet));

    const actions = el('p', 'actions');
    const rel = el('a', 'related', 'Related papers');
    rel.href = fragment({ related: r.id, mode: modeSel.value });
    rel.setAttribute('aria-label', 'Papers related to ' + (r.title || r.id));
    actions.append(rel);
    if (r.doi) {
      const d = el('a', 'doi', 'doi:' + r.doi);
      d.href = 'https://doi.org/' + r.doi.split('/').map(encodeURIComponent).join('/');
      d.rel = 'noopener noreferrer';
      actions.append(document.createTextNode(' · '), d);
    }
    li.append(actions);
    return li;
  }

  function setStatus(text) { statusBox.textContent = text; }

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = false;
    setStatus('');
  }

  function show(resp, title) {
    heading.textContent = title;
    list.replaceChildren(...resp.results.map(result));
    view.hidden = false;
    const n = resp.results.length;
    let status = n === 0 ? 'No results.' : n + (n === 1 ? ' result' : ' results') + ' in ' + resp.took_ms + ' ms (' + resp.mode + ').';
    // Warnings (e.g. no semantic model yet) say why results may be other
    // than asked for.
    if (resp.warnings) status += ' Note: ' + resp.warnings.join(' ');
    setStatus(status);
  }

  function askToken(message) {
    tokenWhy.textContent = message + '. Enter the token given to paperseek serve (--token or $PAPERSEEK_TOKEN); it is kept in this browser only.';
    tokenForm.hidden = false;
    setStatus('');
    tokenInput.focus();
  }

  async function render() {
    const p = new URLSearchParams(location.hash.slice(1));
    const mode = MODES.includes(p.get('mode')) ? p.get('mode') : 'hybrid';
    modeSel.value = mode;
    const my = ++seq;
    errorBox.hidden = true;
    try {
      if (p.get('related')) {
        const id = p.get('related');
        const path = '/v1/papers/' + encodeURIComponent(id);
        setStatus('Finding papers related to ' + id + '…');
        const [paper, resp] = await Promise.all([
          api(path),
          api(path + '/related?' + new URLSearchParams({ k: PAGE_SIZE, mode })),
        ]);
        if (my !== seq) return;
        show(resp, 'Papers related to “' + (paper.title || paper.id) + '”');
        back.href = lastSearch || '#';
        backWrap.hidden = !lastSearch;
        heading.focus();
      } else if (p.get('q')) {
        const q = p.get('q');
        const year = p.get('year') || '';
        const sort = p.get('sort') === 'date' ? 'date' : 'relevance';
        sortSel.value = sort;
        qInput.value = q;
        yearInput.value = year;
        lastSearch = location.hash;
        setStatus('Searching…');
        const params = new URLSearchParams({ q, k: PAGE_SIZE, mode });
        if (year) params.set('year', year);
        if (sort === 'date') params.set('sort', sort);
        const resp = await api('/v1/search?' + params);
        if (my !== seq) return;
        show(resp, 'Results for “' + q + '”');
        backWrap.hidden = true;
      } else {
        view.hidden = true;
        setStatus('');
      }
    } catch (e) {
      if (my !== seq) return;
      if (e.status === 401) {
        askToken(e.message);
        return;
      }
      view.hidden = true;
      showError(e.message);
    }
  }

  function go(h) {
    if (h === location.hash) render(); else location.hash = h;
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const sort = sortSel.value === 'date' ? 'date' : '';
    go(fragment({ q: qInput.value.trim(), mode: modeSel.value, sort, year: yearInput.value.trim() }));
  });

  // A new ranking applies at once: to the related list on show, else to
  // what is in the search box (submitted or not).
  modeSel.addEventListener('change', () => {
    const p = new URLSearchParams(location.hash.slice(1));
    if (p.get('related')) {
      p.set('mode', modeSel.value);
      go('#' + p.toString());
    } else if (qInput.value.trim()) {
      form.requestSubmit();
    }
  });

  sortSel.addEventListener('change', () => {
    if (qInput.value.trim()) form.requestSubmit();
  });

  tokenForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    setToken(tokenInput.value.trim());
    tokenInput.value = '';
    tokenForm.hidden = true;
    render();
  });

  forget.addEventListener('click', () => setToken(''));

  window.addEventListener('hashchange', render);
  heading.tabIndex = -1;
  forget.hidden = !getToken();
  if (!location.hash) qInput.focus();
  render();
})();
