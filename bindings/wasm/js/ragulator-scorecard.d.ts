// Declarations of the <ragulator-scorecard> web component module.
import type { EvaluationResult, Scorecard } from './index.js';

/** Detail of the `ragulator-evaluated` event. */
export interface RagulatorEvaluatedDetail {
  /** The result (DESIGN.md section 4) for the period shown. */
  result: EvaluationResult;
  /** The period shown. */
  period: string;
  /** The entity shown, or null for every entity. */
  entity: string | null;
  /** The periods in the data, oldest first. */
  periods: string[];
  /** The entities in the data. */
  entities: string[];
}

/** Detail of the `ragulator-error` event. */
export interface RagulatorErrorDetail {
  /** A ScorecardError, a DataError, or an Error for a failed fetch. */
  error: Error;
}

/**
 * `<ragulator-scorecard scorecard="…" data="…" overrides="…" period="…" entity="…">`:
 * a scorecard evaluated in the page, rendered as an accessible table grouped by theme.
 */
export class RagulatorScorecard extends HTMLElement {
  static observedAttributes: string[];
  /** The last result, or null. */
  evaluation: EvaluationResult | null;
  /** The periods in the data, oldest first. */
  periods: string[];
  /** The entities in the data. */
  entities: string[];
  /** The last error, or null. */
  error: Error | null;
  /** Settles when the current render is done. */
  rendered: Promise<void>;
  /** The loaded scorecard, or null. */
  readonly scorecardObject: Scorecard | null;
  /** Renders again (fetched files are cached by URL; `true` fetches them again). */
  refresh(refetch?: boolean): Promise<void>;
}

declare global {
  interface HTMLElementTagNameMap {
    'ragulator-scorecard': RagulatorScorecard;
  }
  interface HTMLElementEventMap {
    'ragulator-evaluated': CustomEvent<RagulatorEvaluatedDetail>;
    'ragulator-error': CustomEvent<RagulatorErrorDetail>;
  }
}
