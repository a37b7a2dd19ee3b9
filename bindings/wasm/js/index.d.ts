// Declarations of the package entry (index.js / node.js): everything
// wasm-bindgen generated from the Rust types (ragulator.d.ts, via tsify),
// plus the error classes, which are JS (js/errors.js).
export * from './ragulator.js';
export { default } from './ragulator.js';
import type { Diagnostic, DataDiagnostic } from './ragulator.js';

/** Any error ragulator reports. */
export class RagulatorError extends Error {
  /** What went wrong, item by item. */
  diagnostics: Array<Diagnostic | DataDiagnostic>;
}

/** The scorecard is invalid: every problem found, each with path, line, column and message. */
export class ScorecardError extends RagulatorError {
  diagnostics: Diagnostic[];
}

/** The data, overrides or options fail the whole call (a missing column, a bad override, a value of the wrong type). */
export class DataError extends RagulatorError {
  diagnostics: DataDiagnostic[];
  /** The 1-based data row, when the problem is in one row. */
  row: number | null;
  /** The column or field concerned. */
  column: string | null;
}
