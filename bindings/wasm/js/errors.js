// The package's error classes. The Rust side imports the factories below
// (wasm-bindgen copies this file into pkg/snippets/), so every error thrown
// by ragulator is one of these classes; pkg/index.js re-exports them so
// callers can test `instanceof`.

/** Any error ragulator reports. */
export class RagulatorError extends Error {
  constructor(message, diagnostics = []) {
    super(message);
    this.name = 'RagulatorError';
    /** What went wrong, item by item. */
    this.diagnostics = diagnostics;
  }
}

/** The scorecard is invalid: every problem, each with path, line, column and message. */
export class ScorecardError extends RagulatorError {
  constructor(message, diagnostics) {
    super(message, diagnostics);
    this.name = 'ScorecardError';
  }
}

/** The data, overrides or options fail the whole call (a missing column, a bad override, ...). */
export class DataError extends RagulatorError {
  constructor(message, diagnostics) {
    super(message, diagnostics);
    this.name = 'DataError';
    const first = diagnostics[0] ?? {};
    /** The 1-based data row, when the problem is in one row. */
    this.row = first.row ?? null;
    /** The column or field concerned. */
    this.column = first.column ?? null;
  }
}

export function scorecardError(message, diagnostics) {
  return new ScorecardError(message, diagnostics);
}

export function dataError(message, diagnostics) {
  return new DataError(message, diagnostics);
}

export function internalError(message) {
  return new RagulatorError(message, []);
}
