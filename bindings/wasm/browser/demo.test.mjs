// The demo in headless Chromium (Debian's chromium, driven by playwright-core):
// served from 127.0.0.1, the rendered statuses for the example's latest month
// and for an earlier month equal the CLI's JSON; a broken scorecard shows an
// inline alert; a screenshot is saved to target/wasm-demo.png.
//
// The CLI is `$RAGULATOR_CLI` when set, else `cargo run -q -p ragulator-cli --`.
// Chromium is `$CHROMIUM` or /usr/bin/chromium. Without chromium or
// playwright-core the test is skipped with the reason, and fails under CI=true.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const WASM = resolve(here, '..');
const REPO = resolve(WASM, '..', '..');
const EXAMPLE = join(REPO, 'examples', 'childrens-social-care');
const CI = (process.env.CI ?? '').toLowerCase() === 'true';
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOT = join(REPO, 'target', 'wasm-demo.png');
const ENTITY = 'southampton';
const LATEST = '2022-06';
const EARLIER = '2021-11';

let playwright = null;
let why = null;
try {
  playwright = await import('playwright-core');
} catch (e) {
  why = `playwright-core is not installed in bindings/wasm (npm install): ${e.message}`;
}
if (!why && !existsSync(CHROMIUM)) why = `no chromium at ${CHROMIUM} (apt-get install chromium)`;
if (!why && !existsSync(join(WASM, 'pkg', 'ragulator-scorecard.js'))) why = 'the package is not built (scripts/build-wasm)';

/** The CLI's JSON for the example at a period, for the entity. */
function cli(period) {
  const args = [
    'evaluate',
    '--scorecard', join(EXAMPLE, 'scorecard.toml'),
    '--data', join(EXAMPLE, 'data.csv'),
    '--overrides', join(EXAMPLE, 'overrides.csv'),
    '--period', period,
    '--entity', ENTITY,
    '--format', 'json',
  ];
  const [cmd, pre] = process.env.RAGULATOR_CLI
    ? [process.env.RAGULATOR_CLI, []]
    : ['cargo', ['run', '-q', '-p', 'ragulator-cli', '--']];
  return JSON.parse(execFileSync(cmd, [...pre, ...args], { cwd: REPO, encoding: 'utf8', maxBuffer: 1 << 28 }));
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.csv': 'text/csv; charset=utf-8',
  '.toml': 'application/toml',
  '.css': 'text/css',
};

/** A static server for the repository on 127.0.0.1 and a free port. */
function serve(root) {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    let file = join(root, path);
    if (!file.startsWith(root + sep) && file !== root) { res.writeHead(403).end(); return; }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) { res.writeHead(404).end('not found'); return; }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    createReadStream(file).pipe(res);
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

let server;
let context;
let page;
let base;
const pageErrors = [];

before(async () => {
  if (why) return;
  server = await serve(REPO);
  base = `http://127.0.0.1:${server.address().port}`;
  const profile = mkdtempSync(join(tmpdir(), 'ragulator-chromium-'));
  context = await playwright.chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  context.profile = profile;
  page = context.pages()[0] ?? await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' && !/favicon/.test(m.text())) pageErrors.push(m.text()); });
});

after(async () => {
  await context?.close();
  if (context?.profile) rmSync(context.profile, { recursive: true, force: true });
  server?.close();
});

function skipOrFail(t) {
  if (!why) return false;
  if (CI) assert.fail(why);
  t.skip(why);
  return true;
}

/** Waits for the demo's card to show `period`, then reads what it rendered. */
async function rendered(period) {
  await page.waitForFunction((p) => {
    const card = document.getElementById('card');
    return card && !card.hasAttribute('aria-busy') && card.evaluation
      && card.evaluation.results.length > 0 && card.evaluation.results.every((r) => r.period === p);
  }, period);
  return page.evaluate(() => {
    const root = document.getElementById('card').shadowRoot;
    const rows = [...root.querySelectorAll('tr[part="row"]')].map((tr) => ({
      indicator: tr.dataset.indicator,
      status: tr.dataset.status || null,
      label: tr.querySelector('.badge')?.textContent ?? null,
      value: tr.querySelector('[part="value"]').textContent,
      arrow: tr.querySelector('[part="direction"] .arrow')?.textContent ?? null,
      explanation: tr.querySelector('[part="explanation"]').textContent,
    }));
    const themes = [...root.querySelectorAll('[part="theme-summary"]')].map((li) => ({
      theme: li.dataset.theme, status: li.dataset.status, label: li.querySelector('.badge').textContent,
      spoken: li.querySelector('.visually-hidden')?.textContent.trim() ?? null,
    }));
    const summaryLabel = root.querySelector('[part="summary"]')?.getAttribute('aria-label');
    const caption = root.querySelector('caption').textContent;
    const headers = [...root.querySelectorAll('thead th')].map((th) => th.getAttribute('scope'));
    // WCAG contrast ratio of each badge's text on its background.
    const luminance = (css) => {
      const [r, g, b] = css.match(/[\d.]+/g).slice(0, 3).map((c) => {
        const s = Number(c) / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const contrasts = [...root.querySelectorAll('.badge')].map((badge) => {
      const style = getComputedStyle(badge);
      const [a, b] = [luminance(style.color), luminance(style.backgroundColor)].sort((x, y) => y - x);
      return { label: badge.textContent, ratio: (a + 0.05) / (b + 0.05) };
    });
    return { rows, themes, caption, headers, contrasts, summaryLabel };
  });
}

function compare(shown, expected) {
  const results = expected.results.filter((r) => r.entity === ENTITY);
  assert.equal(shown.rows.length, results.length, 'one row per indicator');
  for (const r of results) {
    const row = shown.rows.find((x) => x.indicator === r.indicator);
    assert.ok(row, `a row for ${r.indicator}`);
    assert.equal(row.status, r.status, `${r.indicator}: status`);
    if (r.status !== null) assert.equal(row.label, r.label, `${r.indicator}: label`);
    assert.equal(row.explanation, r.explanation, `${r.indicator}: explanation`);
    // The arrow is the value's movement: re-referrals (lower is better)
    // worsening means they rose.
    if (r.indicator === 're_referrals' && r.direction === 'worsening') assert.equal(row.arrow, '↑');
    if (r.indicator === 're_referrals' && r.direction === 'improving') assert.equal(row.arrow, '↓');
  }
  const themes = expected.themes.filter((t) => t.entity === ENTITY);
  assert.deepStrictEqual(
    shown.themes.map(({ theme, status, label }) => ({ theme, status, label })),
    themes.map(({ theme, status, label }) => ({ theme, status, label })),
  );
  // A theme's reason is there for screen readers, not only on hover; the
  // summary list is named for its entity.
  assert.deepStrictEqual(shown.themes.map((t) => t.spoken), themes.map((t) => t.explanation ?? null));
  assert.equal(shown.summaryLabel, `Themes for ${ENTITY}`);
}

test('the demo shows the CLI statuses for the latest month, then for another month', async (t) => {
  if (skipOrFail(t)) return;
  const latest = cli(LATEST);
  const earlier = cli(EARLIER);
  await page.goto(`${base}/bindings/wasm/demo/index.html`);

  const first = await rendered(LATEST);
  compare(first, latest);
  assert.match(first.caption, /southampton · 2022-06/);
  for (const { label, ratio } of first.contrasts) {
    assert.ok(ratio >= 4.5, `the ${label} badge's text contrasts ${ratio.toFixed(2)}:1 with its colour (WCAG AA: 4.5)`);
  }
  assert.ok(first.contrasts.length > 0, 'the badges were measured');
  assert.ok(first.headers.every((s) => s === 'col'), 'column headers have scope=col');
  // The override in the example shows: given amber, computed green.
  assert.ok(latest.results.some((r) => r.override), 'the example has an overridden result');

  // The period picker lists the data's months, newest first.
  const options = await page.$$eval('#period option', (os) => os.map((o) => o.value));
  assert.equal(options[0], LATEST);
  assert.ok(options.includes(EARLIER));

  await page.selectOption('#period', EARLIER);
  compare(await rendered(EARLIER), earlier);

  await page.selectOption('#period', LATEST);
  compare(await rendered(LATEST), latest);
  assert.deepStrictEqual(pageErrors, []);
});

test('a broken scorecard shows an inline alert with the problem, located', async (t) => {
  if (skipOrFail(t)) return;
  await page.goto(`${base}/bindings/wasm/demo/index.html`);
  await rendered(LATEST);
  const alert = await page.evaluate(async () => {
    const el = document.createElement('ragulator-scorecard');
    el.id = 'broken';
    el.setAttribute('data', '../../../examples/childrens-social-care/data.csv');
    const script = document.createElement('script');
    script.type = 'application/toml';
    script.textContent = 'ragulator = 1\n[[indicator]]\nid = "x"\nname = "X"\nunit = "percent"\npolarity = "sideways"\n';
    el.append(script);
    const errored = new Promise((ok) => el.addEventListener('ragulator-error', (e) => ok(e.detail.error.name)));
    document.querySelector('main').append(el);
    const name = await errored;
    const box = el.shadowRoot.querySelector('[role="alert"]');
    return { name, text: box && box.textContent, part: box && box.getAttribute('part') };
  });
  assert.equal(alert.name, 'ScorecardError');
  assert.equal(alert.part, 'error');
  assert.match(alert.text, /The scorecard is not valid/);
  assert.match(alert.text, /indicator\[0\]\.polarity line 6, column \d+: .*higher_is_better/);

  // Fixing the inline scorecard re-renders without the alert.
  const fixed = await page.evaluate(async () => {
    const el = document.getElementById('broken');
    const done = new Promise((ok) => el.addEventListener('ragulator-evaluated', () => ok(true), { once: true }));
    el.querySelector('script').textContent = 'ragulator = 1\n[[indicator]]\nid = "re_referrals"\nname = "Re-referrals"\nunit = "percent"\npolarity = "lower_is_better"\ntarget = 20\nrag = { rule = "target", amber = 2 }\n';
    el.setAttribute('entity', 'southampton');
    await done;
    return { alert: !!el.shadowRoot.querySelector('[role="alert"]'), rows: el.shadowRoot.querySelectorAll('tr[part="row"]').length };
  });
  assert.deepStrictEqual(fixed, { alert: false, rows: 1 });

  // A data URL that does not exist is an alert too.
  const missing = await page.evaluate(async () => {
    const el = document.getElementById('broken');
    const errored = new Promise((ok) => el.addEventListener('ragulator-error', () => ok(), { once: true }));
    el.setAttribute('data', 'no-such-file.csv');
    await errored;
    return el.shadowRoot.querySelector('[role="alert"]').textContent;
  });
  assert.match(missing, /no-such-file\.csv could not be fetched: HTTP 404/);

  // An entity the data does not have is an alert naming the ones it has.
  const unknown = await page.evaluate(async () => {
    const el = document.getElementById('broken');
    const errored = new Promise((ok) => el.addEventListener('ragulator-error', () => ok(), { once: true }));
    el.setAttribute('data', '../../../examples/childrens-social-care/data.csv');
    el.setAttribute('entity', 'atlantis');
    await errored;
    return el.shadowRoot.querySelector('[role="alert"]').textContent;
  });
  assert.match(unknown, /no entity 'atlantis'; its entities are: .*southampton/);
});

test('periods in time order (by the calendar year start), the latest with a value by default; any CSS colour gets readable text; refresh(true) rereads', async (t) => {
  if (skipOrFail(t)) return;
  const dir = join(REPO, 'target', 'browser-test');
  mkdirSync(dir, { recursive: true });
  const csv = (v) => `indicator,period,series,value\na,2022-06,,${v}\nb,2022/23,,3\na,2022-07,target,95\n`;
  writeFileSync(join(dir, 'mixed.csv'), csv(90));
  await page.goto(`${base}/bindings/wasm/demo/index.html`);
  const read = () => page.evaluate(() => {
    const el = document.getElementById('mixed');
    const badge = el.shadowRoot.querySelector('tr[data-indicator="a"] .badge');
    return {
      periods: el.periods,
      period: el.evaluation.results[0].period,
      value: el.evaluation.results.find((r) => r.indicator === 'a').value,
      ink: badge && getComputedStyle(badge).color,
    };
  });
  await page.evaluate(async (url) => {
    const el = document.createElement('ragulator-scorecard');
    el.id = 'mixed';
    el.setAttribute('data', url);
    const script = document.createElement('script');
    script.type = 'application/toml';
    script.textContent = [
      'ragulator = 1',
      '[[status]]', 'id = "green"', 'label = "Green"', 'colour = "navy"',
      '[[status]]', 'id = "amber"', 'label = "Amber"', 'colour = "#fb0"',
      '[[status]]', 'id = "red"', 'label = "Red"', 'colour = "rgb(0 0 0)"',
      '[[indicator]]', 'id = "a"', 'name = "A"', 'unit = "percent"', 'polarity = "higher_is_better"',
      'target = 80', 'rag = { rule = "target", amber = 5 }',
      '[[indicator]]', 'id = "b"', 'name = "B"', 'unit = "count"', 'polarity = "none"',
    ].join('\n');
    el.append(script);
    const done = new Promise((ok) => el.addEventListener('ragulator-evaluated', () => ok(), { once: true }));
    document.querySelector('main').append(el);
    await done;
  }, `${base}/target/browser-test/mixed.csv`);
  const first = await read();
  // 2022/23 starts in April 2022, before June; July has only a target.
  assert.deepStrictEqual(first.periods, ['2022/23', '2022-06', '2022-07']);
  assert.equal(first.period, '2022-06');
  assert.equal(first.value, '90');
  assert.equal(first.ink, 'rgb(255, 255, 255)', 'white text on a navy badge');

  writeFileSync(join(dir, 'mixed.csv'), csv(91));
  await page.evaluate(() => document.getElementById('mixed').refresh(true));
  assert.equal((await read()).value, '91', 'refresh(true) reads the changed file');

  // With financial years starting in July, 2022/23 starts with July 2022.
  await page.evaluate(async () => {
    const el = document.getElementById('mixed');
    const done = new Promise((ok) => el.addEventListener('ragulator-evaluated', () => ok(), { once: true }));
    el.querySelector('script').textContent += '\n[calendar]\nyear_start_month = 7\n';
    await done;
  });
  assert.deepStrictEqual((await read()).periods, ['2022-06', '2022-07', '2022/23']);
});

test('screenshot of the demo', async (t) => {
  if (skipOrFail(t)) return;
  await page.goto(`${base}/bindings/wasm/demo/index.html`);
  await rendered(LATEST);
  // Open one explanation so the screenshot shows one.
  await page.evaluate(() => {
    const details = document.getElementById('card').shadowRoot.querySelector('tr[data-indicator="re_referrals"] details');
    details.open = true;
  });
  mkdirSync(dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  assert.ok(statSync(SCREENSHOT).size > 10_000);
  t.diagnostic(`screenshot: ${SCREENSHOT}`);
});
