// Shared by every page, the console's too: the six languages, API calls, the frame around <main>
// and the render helpers. No framework and no build step: each page loads this file, then its own.
'use strict';

const Plenary = (() => {
  const LANGUAGES = [
    ['ar', 'العربية'], ['zh', '中文'], ['en', 'English'],
    ['fr', 'Français'], ['ru', 'Русский'], ['es', 'Español'],
  ];
  const CODES = LANGUAGES.map(([code]) => code);
  const RTL = new Set(['ar']);
  const STORAGE_KEY = 'plenary.language';
  // The API's base URL: empty when the site and the API share an origin (the local stack); a
  // site hosted elsewhere sets <meta name="plenary-api" content="https://api.example">.
  const meta = document.querySelector('meta[name="plenary-api"]');
  const API = ((meta && meta.content) || '').replace(/\/+$/, '');

  let language = 'en';
  let dictionary = {};
  let rerender = () => {};

  function storedLanguage() {
    try { return localStorage.getItem(STORAGE_KEY); } catch { return null; }
  }

  function preferredLanguage() {
    // An emailed link names the registrant's language (`?lang=`), which wins for that page.
    const asked = new URLSearchParams(location.search).get('lang');
    if (CODES.includes(asked)) return asked;
    const saved = storedLanguage();
    if (CODES.includes(saved)) return saved;
    for (const tag of navigator.languages || [navigator.language || 'en']) {
      const base = String(tag).toLowerCase().split('-')[0];
      if (CODES.includes(base)) return base;
    }
    return 'en';
  }

  /** The UI string `key`, with `{name}` placeholders filled from `vars`. */
  function t(key, vars = {}) {
    const s = Object.prototype.hasOwnProperty.call(dictionary, key) ? dictionary[key] : key;
    return s.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
  }

  function has(key) {
    return Object.prototype.hasOwnProperty.call(dictionary, key);
  }

  /** Translates data-i18n (text) and data-i18n-attr ("attr:key;attr:key"). */
  function translate(root = document) {
    root.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
    root.querySelectorAll('[data-i18n-attr]').forEach((el) => {
      for (const pair of el.dataset.i18nAttr.split(';')) {
        const [attr, key] = pair.split(':');
        if (attr && key) el.setAttribute(attr.trim(), t(key.trim()));
      }
    });
  }

  /** Switches the page to `code` (the registrant's language from an answer, say). */
  async function switchLanguage(code) {
    if (!CODES.includes(code) || code === language) return;
    await useLanguage(code);
    const switcher = document.getElementById('language-switch');
    if (switcher) switcher.value = code;
  }

  async function loadDictionary(code) {
    const res = await fetch(`/i18n/${code}.json`);
    if (!res.ok) throw new Error(`no dictionary for ${code}`);
    return res.json();
  }

  async function useLanguage(code, loaded) {
    dictionary = loaded || await loadDictionary(code);
    language = code;
    document.documentElement.lang = code;
    document.documentElement.dir = RTL.has(code) ? 'rtl' : 'ltr';
    translate();
    fillLanguageSelects();
  }

  function fillLanguageSelects() {
    document.querySelectorAll('select[data-languages]').forEach((select) => {
      const value = select.value || language;
      select.replaceChildren(...LANGUAGES.map(([code, name]) => {
        const o = new Option(name, code);
        o.lang = code;
        return o;
      }));
      select.value = select.id === 'language-switch' ? language : value;
    });
  }

  /**
   * The frame made once here: the skip link and header before <main>, the footer after it. A
   * page's HTML holds only <main> and a <noscript> header. Returns the language switcher.
   */
  function frame() {
    const existing = document.getElementById('language-switch');
    if (existing) return existing;
    const main = document.getElementById('main');
    if (!main) return null;
    const select = el('select', { id: 'language-switch', 'data-languages': true });
    main.before(
      el('a', { class: 'skip', href: '#main', 'data-i18n': 'nav.skip', text: 'Skip to content' }),
      el('header', { class: 'site-header' },
        el('a', { class: 'brand', href: '/', 'data-i18n': 'site.name', text: 'ITU workshops' }),
        el('div', { class: 'switch' },
          el('label', { for: 'language-switch', 'data-i18n': 'nav.language', text: 'Language' }),
          select)),
    );
    main.after(el('footer', {}, el('p', { 'data-i18n': 'site.footer' })));
    return select;
  }

  /** Loads the reader's language, wires the switcher, then renders the page (again on switch). */
  async function start(render) {
    rerender = render;
    // The texts first, then the frame in one go: a header put in and translated later moved
    // the page down under the reader (a layout shift) wherever its translation wraps.
    const code = preferredLanguage();
    const loaded = await loadDictionary(code);
    const switcher = frame();
    if (Plenary.fields) Plenary.fields();
    await useLanguage(code, loaded);
    if (switcher) {
      switcher.value = language;
      switcher.addEventListener('change', async () => {
        try { localStorage.setItem(STORAGE_KEY, switcher.value); } catch { /* private mode */ }
        // The address says the language too (`?lang=`), so copying it shares the page as read.
        const url = new URL(location.href);
        url.searchParams.set('lang', switcher.value);
        history.replaceState(history.state, '', url);
        await useLanguage(switcher.value);
        rerender();
      });
    }
    await render();
  }

  /** The address of an API path, for links and the rare call api() cannot make. */
  function apiUrl(path) {
    return API + path;
  }

  /** A problem+json error from the API, or a network failure (status 0). */
  class ApiError extends Error {
    constructor(status, problem) {
      super((problem && problem.detail) || `HTTP ${status}`);
      this.status = status;
      this.problem = problem || {};
      // The slug of the problem's `type` URI, e.g. `not-eligible`.
      this.code = String(this.problem.type || '').split('/').pop();
    }
  }

  /** Calls the public API; resolves to the JSON body (or null), rejects with an ApiError. */
  async function api(method, path, { body, token, headers = {} } = {}) {
    const init = { method, headers: { Accept: 'application/json', ...headers } };
    if (token) init.headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(apiUrl(path), init);
    } catch (e) {
      throw new ApiError(0, { detail: String(e) });
    }
    const type = res.headers.get('Content-Type') || '';
    const data = type.includes('json') ? await res.json().catch(() => null) : null;
    if (!res.ok) throw new ApiError(res.status, data);
    return data;
  }

  /** The localized sentence for a failed call: by problem code, then by status, then generic. */
  function errorMessage(e) {
    if (e.code && has(`problem.${e.code}`)) return t(`problem.${e.code}`);
    if (e.status === 0) return t('problem.network');
    if (e.status === 429) return t('problem.too-many-requests');
    return t('problem.generic');
  }

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'text') node.textContent = v;
      else if (k === 'class') node.className = v;
      else node.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) {
      if (c !== null && c !== undefined && c !== false) node.append(c);
    }
    return node;
  }

  /** Text that may be in another script (names, zones, addresses), isolated for bidi. */
  function bdi(text) {
    return el('bdi', { text });
  }

  /**
   * The UI string `key` as nodes, each `{name}` filled with `vars[name]` isolated in a <bdi>
   * (a node given as a value is put in as it is): a filled title, zone or address keeps its own
   * direction inside an Arabic sentence.
   */
  function tb(key, vars = {}) {
    const s = has(key) ? dictionary[key] : key;
    return s.split(/(\{\w+\})/).filter(Boolean).map((part) => {
      const name = /^\{(\w+)\}$/.exec(part);
      if (!name || !(name[1] in vars)) return part;
      const v = vars[name[1]];
      return v instanceof Node ? v : bdi(String(v));
    });
  }

  /** A status line in the page's live region, so screen readers hear it. */
  function announce(text, kind = 'info') {
    const region = document.getElementById('announce');
    if (!region) return;
    region.textContent = text;
    region.dataset.kind = kind;
    region.hidden = !text;
  }

  function query(name) {
    return new URLSearchParams(location.search).get(name);
  }

  /**
   * The page's language with the visitor's region when the browser names one for it (en-GB
   * reads 8 September 2021, en-US September 8, 2021).
   */
  function locale() {
    const tag = (navigator.languages || [navigator.language || ''])
      .map(String).find((l) => l.toLowerCase().split('-')[0] === language);
    let base = language;
    try { if (tag) [base] = Intl.getCanonicalLocales(tag); } catch { /* not a valid tag */ }
    // Latin digits in Arabic keep times and dates readable next to the zone names.
    return language === 'ar' ? `${base}-u-nu-latn` : base;
  }

  // Making an Intl formatter costs far more than using one: each is made once per locale and
  // options, which keeps the main thread free (Lighthouse's total blocking time).
  const formatters = new Map();
  function formatter(Kind, options, at = locale()) {
    const key = `${Kind.name}|${at}|${JSON.stringify(options)}`;
    if (!formatters.has(key)) formatters.set(key, new Kind(at, options));
    return formatters.get(key);
  }

  function formatDate(iso, zone) {
    return formatter(Intl.DateTimeFormat, { timeZone: zone, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' })
      .format(new Date(iso));
  }

  /** A calendar date (YYYY-MM-DD) as words, independent of any zone. */
  function formatDay(date) {
    return formatDate(`${date}T12:00:00Z`, 'UTC');
  }

  /** "UTC+02:00"-style offset of `zone` at `iso`. */
  function zoneOffset(zone, iso) {
    const parts = formatter(Intl.DateTimeFormat, { timeZone: zone, timeZoneName: 'longOffset' }, 'en')
      .formatToParts(new Date(iso));
    const name = parts.find((p) => p.type === 'timeZoneName');
    return name ? name.value.replace('GMT', 'UTC').replace(/^UTC$/, 'UTC+00:00') : '';
  }

  function visitorZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'; } catch { return 'UTC'; }
  }

  return {
    LANGUAGES: CODES, start, switchLanguage, t, tb, has, translate, api, apiUrl, ApiError, errorMessage, el, bdi, announce, query,
    formatter, formatDate, formatDay, zoneOffset, visitorZone, language: () => language, locale,
  };
})();
