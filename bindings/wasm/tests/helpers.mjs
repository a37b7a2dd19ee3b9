// Shared paths and helpers for the Node tests of the ragulator package.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const WASM = resolve(here, '..');
export const REPO = resolve(WASM, '..', '..');
export const PKG = join(WASM, 'pkg');
export const EXAMPLE = join(REPO, 'examples', 'childrens-social-care');
export const FIXTURES = process.env.RAGULATOR_FIXTURES ?? join(REPO, 'tests', 'fixtures');
export const CI = (process.env.CI ?? '').toLowerCase() === 'true';

if (!existsSync(join(PKG, 'node.js'))) {
  throw new Error(`the package is not built (${PKG}/node.js is missing): run scripts/build-wasm`);
}

/** The package, initialised for Node (its "node" entry). */
export const ragulator = await import(join(PKG, 'node.js'));

export const read = (path) => readFileSync(path, 'utf8');

/** The example's scorecard, loaded. */
export function example() {
  return ragulator.Scorecard.fromToml(read(join(EXAMPLE, 'scorecard.toml')));
}

/**
 * CSV text as the core reads it, split into header and records (RFC 4180:
 * quoted fields, doubled quotes, CRLF); blank lines skipped like the core.
 */
export function parseCsv(text) {
  if (text.startsWith('\ufeff')) text = text.slice(1);
  const records = [];
  let field = '';
  let record = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') { record.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || record.length) { record.push(field); records.push(record); }
  return records.filter((r) => !(r.length === 1 && r[0] === ''));
}
