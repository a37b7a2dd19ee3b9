// <ragulator-scorecard>: a scorecard evaluated in the page by the ragulator
// WebAssembly module, rendered as an accessible table grouped by theme.
// One ES module, no framework. Everything it shows (statuses, labels,
// explanations, number formats) comes from the core; this file only fetches,
// caches and renders.
//
//   <script type="module" src="ragulator/ragulator-scorecard.js"></script>
//   <ragulator-scorecard scorecard="scorecard.toml" data="data.csv"
//                        period="2022-06" entity="southampton"></ragulator-scorecard>
//
// Attributes: scorecard (URL; or an inline <script type="application/toml">,
// "application/json" or "application/yaml" child), data (URL to CSV or JSON),
// overrides (optional URL to CSV or JSON), period (default: the latest in the
// data), entity (default: every entity). Changing any of them re-renders.
// Theming: ::part() (see PARTS in the README) and CSS custom properties
// (--ragulator-*). Events: `ragulator-evaluated` (detail: { result, period,
// entity, periods, entities }) and `ragulator-error` (detail: { error }).

import init, { Scorecard } from './index.js';

let ready;
/** Initialises the module once per page (the .wasm next to this file). */
function wasm() {
  ready ??= init();
  return ready;
}

const FORMATS = {
  'application/toml': 'toml',
  'application/json': 'json',
  'application/yaml': 'yaml',
  'text/yaml': 'yaml',
  'application/x-yaml': 'yaml',
};

/** `toml`, `json` or `yaml` from a URL's extension, then its content type. */
function scorecardFormat(url, contentType) {
  const path = new URL(url, document.baseURI).pathname.toLowerCase();
  if (path.endsWith('.toml')) return 'toml';
  if (path.endsWith('.json')) return 'json';
  if (path.endsWith('.yaml') || path.endsWith('.yml')) return 'yaml';
  const type = (contentType || '').split(';')[0].trim();
  return FORMATS[type] || 'toml';
}

/** `csv` or `json` from a URL's extension, then its content type. */
function dataFormat(url, contentType) {
  const path = new URL(url, document.baseURI).pathname.toLowerCase();
  if (path.endsWith('.json')) return 'json';
  if (path.endsWith('.csv')) return 'csv';
  return (contentType || '').includes('json') ? 'json' : 'csv';
}

async function fetchBytes(url, what) {
  let response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new Error(`the ${what} at ${url} could not be fetched: ${e.message}`);
  }
  if (!response.ok) {
    throw new Error(`the ${what} at ${url} could not be fetched: HTTP ${response.status} ${response.statusText}`);
  }
  return { bytes: new Uint8Array(await response.arrayBuffer()), type: response.headers.get('content-type') };
}

function load(text, format) {
  if (format === 'json') return Scorecard.fromJson(text);
  if (format === 'yaml') return Scorecard.fromYaml(text);
  return Scorecard.fromToml(text);
}

/** Black or white text, whichever reads better on a status colour. */
/** A CSS colour's red, green and blue (0-255), or null if it is not one. */
function rgbOf(colour) {
  const c = colour.trim();
  const hex = /^#?([0-9a-f]{6})$/i.exec(c) ?? /^#([0-9a-f]{3})$/i.exec(c);
  if (hex) {
    const digits = hex[1].length === 3 ? [...hex[1]].map((d) => d + d).join('') : hex[1];
    const n = parseInt(digits, 16);
    return [n >> 16, (n >> 8) & 255, n & 255];
  }
  // Any other CSS colour (`navy`, `rgb(0 0 0)`), as the browser resolves it:
  // a canvas reports its fill as `#rrggbb` or `rgba(r, g, b, a)`.
  rgbOf.canvas ??= globalThis.document?.createElement('canvas').getContext('2d') ?? null;
  const ctx = rgbOf.canvas;
  if (!ctx) return null;
  ctx.fillStyle = '#010203';
  ctx.fillStyle = c;
  const resolved = String(ctx.fillStyle);
  if (resolved === '#010203' && !/^#?010203$/i.test(c)) return null; // not a colour
  if (resolved.startsWith('#')) return rgbOf(resolved);
  const parts = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)/.exec(resolved);
  return parts ? parts.slice(1, 4).map(Number) : null;
}

function inkFor(colour) {
  const rgb = rgbOf(colour);
  if (!rgb) return '#0b0c0c';
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  // Whichever ink contrasts more (WCAG contrast ratio): near black's
  // relative luminance is about 0.0067, white's 1.
  const onDark = 1.05 / (luminance + 0.05);
  const onLight = (luminance + 0.05) / (0.0067 + 0.05);
  return onLight >= onDark ? '#0b0c0c' : '#ffffff';
}

/**
 * The first day of a period (DESIGN.md 3.2) as `YYYY-MM-DD`, for ordering
 * periods of different kinds in time; a financial year starts in the
 * scorecard's `calendar.year_start_month`.
 */
function periodStart(p, yearStartMonth) {
  const pad = (n) => String(n).padStart(2, '0');
  let m;
  if ((m = /^(\d{4})-(\d{2})$/.exec(p))) return `${m[1]}-${m[2]}-01`;
  if ((m = /^(\d{4})-Q([1-4])$/.exec(p))) return `${m[1]}-${pad((m[2] - 1) * 3 + 1)}-01`;
  if ((m = /^(\d{4})\/\d{2}$/.exec(p))) return `${m[1]}-${pad(yearStartMonth)}-01`;
  if ((m = /^(\d{4})-W(\d{2})$/.exec(p))) {
    // ISO week 1 holds 4 January; its Monday, then whole weeks on.
    const jan4 = Date.UTC(+m[1], 0, 4);
    const monday = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * 86400000 + (m[2] - 1) * 7 * 86400000;
    return new Date(monday).toISOString().slice(0, 10);
  }
  if ((m = /^(\d{4})$/.exec(p))) return `${m[1]}-01-01`;
  return p; // a day is its own first day
}

/** Periods in time order, by the scorecard's calendar: by first day, then by their text. */
function byPeriodOf(scorecard) {
  const year = scorecard.yearStartMonth;
  return (a, b) => {
    const [x, y] = [periodStart(a, year), periodStart(b, year)];
    return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
  };
}

const ARROWS = {
  improving: ['↑', 'improving'],
  worsening: ['↓', 'worsening'],
  no_change: ['→', 'no change'],
  up: ['↑', 'up'],
  down: ['↓', 'down'],
  not_comparable: ['·', 'not comparable'],
};

const STYLE = `
:host {
  display: block;
  font-family: var(--ragulator-font, system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif);
  color: var(--ragulator-text, #0b0c0c);
  --_border: var(--ragulator-border, #d8dde3);
  --_muted: var(--ragulator-muted, #505a5f);
  --_head: var(--ragulator-header-background, #f3f5f7);
  --_theme: var(--ragulator-theme-background, #e8edf2);
  --_radius: var(--ragulator-radius, 6px);
  --_focus: var(--ragulator-focus, #ffdd00);
}
:host([hidden]) { display: none; }
* { box-sizing: border-box; }
.entity + .entity { margin-top: 2rem; }
.summary { display: flex; flex-wrap: wrap; gap: .5rem; margin: 0 0 1rem; padding: 0; list-style: none; }
.summary li {
  display: flex; flex-direction: column; gap: .35rem; min-width: 11rem; flex: 1 1 11rem;
  padding: .6rem .75rem; border: 1px solid var(--_border); border-radius: var(--_radius);
  border-top: 5px solid var(--_status); background: var(--ragulator-card-background, #fff);
}
.summary .name { font-size: .85rem; font-weight: 600; line-height: 1.25; }
.summary .badge { align-self: flex-start; }
.scroll { overflow-x: auto; }
table { width: 100%; min-width: 44rem; border-collapse: collapse; font-size: var(--ragulator-font-size, .9rem); }
caption { text-align: left; font-size: 1.15rem; font-weight: 700; padding: 0 0 .6rem; }
caption .sub { display: block; font-size: .85rem; font-weight: 400; color: var(--_muted); margin-top: .15rem; }
th, td { padding: .5rem .6rem; border-bottom: 1px solid var(--_border); text-align: left; vertical-align: top; }
thead th { background: var(--_head); font-size: .8rem; text-transform: uppercase; letter-spacing: .02em; color: var(--_muted); border-bottom: 2px solid var(--_border); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
td.num.wrap { white-space: normal; }
.nowrap { white-space: nowrap; }
tbody th[scope="rowgroup"] { background: var(--_theme); font-size: .95rem; }
tbody th[scope="rowgroup"] .rowgroup { display: flex; justify-content: space-between; align-items: center; gap: 1rem; }
tbody th[scope="row"] { font-weight: 400; width: 32%; }
details summary { cursor: pointer; }
details summary:focus-visible { outline: 3px solid var(--_focus); outline-offset: 1px; }
details p { margin: .4rem 0 0; color: var(--_muted); max-width: 48rem; line-height: 1.4; }
details .reason { border-left: 4px solid var(--_border); padding-left: .5rem; }
.badge {
  display: inline-block; padding: .15rem .5rem; border-radius: 999px; font-size: .8rem; font-weight: 700;
  white-space: nowrap; background: var(--_status); color: var(--_ink);
}
.computed { display: block; font-size: .75rem; color: var(--_muted); margin-top: .2rem; white-space: nowrap; }
.arrow { font-size: 1.1rem; font-weight: 700; }
.arrow.improving { color: var(--ragulator-improving, #00703c); }
.arrow.worsening { color: var(--ragulator-worsening, #d4351c); }
.arrow.up, .arrow.down, .arrow.no_change, .arrow.not_comparable { color: var(--_muted); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.muted { color: var(--_muted); }
.error {
  border: 2px solid var(--ragulator-error, #d4351c); border-radius: var(--_radius); padding: .75rem 1rem;
  background: var(--ragulator-error-background, #fdf2f1); color: var(--ragulator-text, #0b0c0c);
}
.error strong { display: block; margin-bottom: .3rem; color: var(--ragulator-error, #d4351c); }
.error ul { margin: .4rem 0 0; padding-left: 1.2rem; }
.error code { font-size: .85em; }
.loading { color: var(--_muted); }
`;

/** Elements by tag, attributes and children (strings become text nodes). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'style') el.style.cssText = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

/** The `<ragulator-scorecard>` element. */
export class RagulatorScorecard extends HTMLElement {
  static observedAttributes = ['scorecard', 'data', 'overrides', 'period', 'entity'];

  #root;
  #pending = false;
  #generation = 0;
  #cache = new Map();
  #scorecard = null;
  #scorecardKey = null;
  #observations = null;
  #observationsKey = null;
  #overrides = undefined;
  #overridesKey = null;
  #index = null;
  /** The default period: the latest with a value. */
  #latest = undefined;
  #observer = null;

  /** The last result (DESIGN.md section 4), or null. */
  evaluation = null;
  /** The periods in the data, oldest first. */
  periods = [];
  /** The entities in the data. */
  entities = [];
  /** The last error, or null. */
  error = null;
  /** Settles when the current render is done. */
  rendered = Promise.resolve();

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: 'open' });
    this.#root.append(h('style', {}, STYLE), h('div', { part: 'body' }));
  }

  connectedCallback() {
    this.#schedule();
    // An inline scorecard may be added or edited after the element.
    this.#observer ??= new MutationObserver(() => this.#schedule());
    this.#observer.observe(this, { childList: true, subtree: true, characterData: true });
  }

  disconnectedCallback() {
    this.#observer?.disconnect();
  }

  attributeChangedCallback(_name, before, after) {
    if (before !== after && this.isConnected) this.#schedule();
  }

  /** Renders again now (fetched files are cached by URL; pass true to refetch). */
  refresh(refetch = false) {
    if (refetch) {
      this.#cache.clear();
      // And what was read from the files is read again.
      this.#scorecardKey = null;
      this.#observationsKey = null;
      this.#overridesKey = null;
    }
    this.#pending = false;
    return this.#render();
  }

  #schedule() {
    if (this.#pending) return;
    this.#pending = true;
    // Coalesce attribute changes made together into one render.
    queueMicrotask(() => {
      if (!this.#pending) return;
      this.#pending = false;
      this.#render();
    });
  }

  #body() {
    return this.#root.querySelector('[part="body"]');
  }

  #fetch(url, what) {
    const key = new URL(url, document.baseURI).href;
    if (!this.#cache.has(key)) {
      const p = fetchBytes(key, what);
      p.catch(() => this.#cache.delete(key));
      this.#cache.set(key, p);
    }
    return this.#cache.get(key);
  }

  /** The scorecard source: { text, format, key } from the URL or an inline script. */
  async #source() {
    const url = this.getAttribute('scorecard');
    if (url) {
      const { bytes, type } = await this.#fetch(url, 'scorecard');
      return { text: new TextDecoder().decode(bytes), format: scorecardFormat(url, type), key: `url:${url}` };
    }
    const script = [...this.querySelectorAll('script')].find((s) => FORMATS[(s.type || '').trim()]);
    if (!script) {
      throw new Error('no scorecard: set the scorecard attribute to a URL, or put a <script type="application/toml"> (or application/json, application/yaml) inside the element');
    }
    const text = script.textContent;
    const format = FORMATS[script.type.trim()];
    return { text, format, key: `inline:${format}:${text}` };
  }

  async #render() {
    const generation = ++this.#generation;
    const stale = () => generation !== this.#generation;
    let done;
    this.rendered = new Promise((resolve) => { done = resolve; });
    this.setAttribute('aria-busy', 'true');
    if (!this.#body().hasChildNodes()) this.#body().append(h('p', { class: 'loading', part: 'loading' }, 'Loading scorecard…'));
    try {
      await wasm();
      const source = await this.#source();
      if (stale()) return;
      if (this.#scorecardKey !== source.key) {
        this.#scorecard?.free();
        this.#scorecard = null;
        this.#scorecardKey = null;
        this.#scorecard = load(source.text, source.format);
        this.#scorecardKey = source.key;
        this.#observationsKey = null;
        this.#overridesKey = null;
      }
      const dataUrl = this.getAttribute('data');
      if (!dataUrl) throw new Error('no data: set the data attribute to the URL of a CSV or JSON file');
      if (this.#observationsKey !== dataUrl) {
        const { bytes, type } = await this.#fetch(dataUrl, 'data');
        if (stale()) return;
        this.#observations?.free();
        this.#observations = null;
        this.#observations = this.#scorecard.observations(bytes, { format: dataFormat(dataUrl, type) });
        this.#observationsKey = dataUrl;
        this.#index = this.#scorecard.evaluateObservations(this.#observations, { explain: false });
        this.periods = [...new Set(this.#index.results.map((r) => r.period))].sort(byPeriodOf(this.#scorecard));
        // The default period: the latest with a value (not one that only
        // has targets or comparators so far).
        const valued = new Set(this.#index.results.filter((r) => r.value !== null).map((r) => r.period));
        this.#latest = this.periods.findLast((p) => valued.has(p)) ?? this.periods.at(-1);
        this.entities = [...new Set(this.#index.results.map((r) => r.entity))].filter((e) => e !== null).sort();
      }
      const overridesUrl = this.getAttribute('overrides');
      if (this.#overridesKey !== (overridesUrl ?? '')) {
        if (overridesUrl) {
          const { bytes, type } = await this.#fetch(overridesUrl, 'overrides');
          if (stale()) return;
          this.#overrides = { overrides: bytes, overridesFormat: dataFormat(overridesUrl, type) };
        } else {
          this.#overrides = {};
        }
        this.#overridesKey = overridesUrl ?? '';
      }
      const period = this.getAttribute('period') || this.#latest;
      if (!period) throw new Error('the data has no observations to show');
      const entity = this.getAttribute('entity') || undefined;
      if (entity !== undefined && this.entities.length > 0 && !this.entities.includes(entity)) {
        throw new Error(`the data has no entity '${entity}'; its entities are: ${this.entities.join(', ')}`);
      }
      const result = this.#scorecard.evaluateObservations(this.#observations, { ...this.#overrides, period, entity });
      if (stale()) return;
      this.evaluation = result;
      this.error = null;
      this.#body().replaceChildren(...this.#tables(result, period));
      this.dispatchEvent(new CustomEvent('ragulator-evaluated', {
        bubbles: true,
        composed: true,
        detail: { result, period, entity: entity ?? null, periods: this.periods, entities: this.entities },
      }));
    } catch (error) {
      if (stale()) return;
      this.evaluation = null;
      this.error = error;
      this.#body().replaceChildren(this.#errorBox(error));
      this.dispatchEvent(new CustomEvent('ragulator-error', { bubbles: true, composed: true, detail: { error } }));
    } finally {
      if (!stale()) this.removeAttribute('aria-busy');
      done();
    }
  }

  #errorBox(error) {
    const title = error && error.name === 'ScorecardError' ? 'The scorecard is not valid'
      : error && error.name === 'DataError' ? 'The data cannot be used'
        : 'The scorecard cannot be shown';
    const items = (error && Array.isArray(error.diagnostics) ? error.diagnostics : []).map((d) => {
      const where = [
        d.path ? h('code', {}, d.path) : null,
        d.line != null ? ` line ${d.line}${d.column != null ? `, column ${d.column}` : ''}` : null,
        d.row != null ? ` row ${d.row}` : null,
        d.column != null && typeof d.column === 'string' ? ` column ${d.column}` : null,
      ].filter(Boolean);
      return h('li', {}, ...where, where.length ? ': ' : '', d.message);
    });
    return h('div', { class: 'error', role: 'alert', part: 'error' },
      h('strong', {}, title),
      items.length ? h('ul', {}, items) : h('span', {}, String(error && error.message ? error.message : error)));
  }

  #statusBadge(id, label) {
    const status = this.#scorecard.statuses.find((s) => s.id === id);
    const colour = status ? status.colour : '#b1b4b6';
    return h('span', {
      class: 'badge',
      part: `status status-${id}`,
      'data-status': id,
      style: `--_status: var(--ragulator-status-${id}, ${colour}); --_ink: var(--ragulator-status-${id}-text, ${inkFor(colour)})`,
    }, label ?? (status ? status.label : id));
  }

  #format(indicator, value) {
    // A dash to see, words to hear: a bare "–" is read as "dash" or not at all.
    if (value === null || value === undefined) {
      return [h('span', { 'aria-hidden': 'true' }, '–'), h('span', { class: 'visually-hidden' }, 'none')];
    }
    if (typeof value === 'object') {
      // A range: each bound kept whole, the line free to break between them.
      return [h('span', { class: 'nowrap' }, this.#scorecard.formatValue(indicator, value.low)), ' – ',
        h('span', { class: 'nowrap' }, this.#scorecard.formatValue(indicator, value.high))];
    }
    return this.#scorecard.formatValue(indicator, value);
  }

  #tables(result, period) {
    const card = this.#scorecard;
    const comparators = card.comparators;
    const indicators = card.indicators;
    const themes = [...card.themes, { id: null, name: 'Other indicators' }];
    const byEntity = new Map();
    for (const r of result.results) {
      if (!byEntity.has(r.entity)) byEntity.set(r.entity, { results: [], themes: [] });
      byEntity.get(r.entity).results.push(r);
    }
    for (const t of result.themes) byEntity.get(t.entity)?.themes.push(t);

    return [...byEntity].map(([entity, { results, themes: themeResults }]) => {
      // One label per entity's list: several lists all called "Themes"
      // cannot be told apart by a screen reader.
      const summary = h('ul', { class: 'summary', part: 'summary', 'aria-label': entity ? `Themes for ${entity}` : 'Themes' },
        themeResults.map((t) => {
          const theme = themes.find((x) => x.id === t.theme);
          const colour = card.statuses.find((s) => s.id === t.status)?.colour ?? '#b1b4b6';
          return h('li', {
            part: 'theme-summary', 'data-theme': t.theme, 'data-status': t.status,
            style: `--_status: var(--ragulator-status-${t.status}, ${colour})`,
            title: t.explanation,
          }, h('span', { class: 'name' }, theme ? theme.name : t.theme), this.#statusBadge(t.status, t.label),
          // The roll-up's reason, for keyboard and screen-reader users too
          // (a title is shown only on hover).
          t.explanation ? h('span', { class: 'visually-hidden' }, ` ${t.explanation}`) : null);
        }));

      const columns = ['Indicator', 'Value', 'Target', ...comparators.map((c) => c.label), 'Trend', 'Status'];
      const head = h('thead', { part: 'head' }, h('tr', {}, columns.map((c, i) =>
        h('th', { scope: 'col', class: i > 0 && i < columns.length - 2 ? 'num' : null }, c))));

      const groups = themes.map((theme) => {
        const members = indicators.filter((i) => (i.theme ?? null) === theme.id);
        const rows = members
          .map((ind) => ({ ind, r: results.find((r) => r.indicator === ind.id) }))
          .filter(({ r }) => r);
        if (rows.length === 0) return null;
        const themeResult = themeResults.find((t) => t.theme === theme.id);
        return h('tbody', { part: 'theme', 'data-theme': theme.id ?? '' },
          h('tr', { part: 'theme-row' }, h('th', { scope: 'rowgroup', colspan: columns.length },
            h('span', { class: 'rowgroup' }, h('span', {}, theme.name),
              themeResult ? this.#statusBadge(themeResult.status, themeResult.label) : null))),
          rows.map(({ ind, r }) => this.#row(ind, r, comparators)));
      }).filter(Boolean);

      const title = card.name ?? 'Scorecard';
      const caption = h('caption', { part: 'caption' }, title,
        h('span', { class: 'sub' }, [entity, period].filter(Boolean).join(' · ')));
      return h('section', { class: 'entity', part: 'entity', 'data-entity': entity ?? '' },
        summary, h('div', { class: 'scroll' }, h('table', { part: 'table' }, caption, head, groups)));
    });
  }

  #row(ind, r, comparators) {
    let [arrow, words] = ARROWS[r.direction] ?? ['·', r.direction];
    // The arrow shows which way the value moved (the word says whether that
    // is better): for a lower-is-better indicator, improving is down.
    if (ind.polarity === 'lower_is_better' && (r.direction === 'improving' || r.direction === 'worsening')) {
      arrow = r.direction === 'improving' ? '↓' : '↑';
    }
    const explanation = h('p', { part: 'explanation' }, r.explanation);
    const reason = r.override
      ? h('p', { class: 'reason', part: 'override-reason' }, `Status given by a person: ${r.override.reason}`)
      : null;
    let status;
    if (r.status === null) {
      status = h('span', { class: 'muted', part: 'status status-none' }, 'Context');
    } else {
      const computed = r.override && r.computed_status !== r.status
        ? h('span', { class: 'computed' }, `computed: ${this.#scorecard.statuses.find((s) => s.id === r.computed_status)?.label ?? r.computed_status}`)
        : null;
      status = [this.#statusBadge(r.status, r.label), computed];
    }
    return h('tr', { part: 'row', 'data-indicator': ind.id, 'data-status': r.status ?? '' },
      h('th', { scope: 'row' }, h('details', { part: 'details' }, h('summary', {}, ind.name), explanation, reason)),
      h('td', { class: 'num', part: 'value' }, this.#format(ind.id, r.value)),
      h('td', { class: r.target && typeof r.target === 'object' ? 'num wrap' : 'num', part: 'target' }, this.#format(ind.id, r.target)),
      comparators.map((c) => h('td', { class: 'num', part: 'comparator', 'data-comparator': c.name },
        this.#format(ind.id, r.comparators[c.name]))),
      h('td', { part: 'direction' }, h('span', { class: `arrow ${r.direction}`, 'aria-hidden': 'true' }, arrow),
        h('span', { class: 'visually-hidden' }, words)),
      h('td', { part: 'status-cell' }, status));
  }

  /** The loaded scorecard (a ragulator `Scorecard`), or null. */
  get scorecardObject() {
    return this.#scorecard;
  }
}

if (!customElements.get('ragulator-scorecard')) {
  customElements.define('ragulator-scorecard', RagulatorScorecard);
}
