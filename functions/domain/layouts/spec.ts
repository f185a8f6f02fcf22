import type { Decision, Layout, Outcome } from '../determination.ts';

/** One disputed item as the layout printed it, before classification. */
export interface ParsedItem {
  /** The request heading as written, wrapped lines joined. */
  readonly request: string;
  readonly decision: Decision;
  /** False when the decision had to be read through OCR damage or inferred. */
  readonly decisionExact: boolean;
  /** False when the item's heading was not found and its decision came from the rationale. */
  readonly headingRead?: boolean;
  /** True when the request had to be cut out of prose merged onto its line. */
  readonly requestRepaired?: boolean;
  /** A modified request's original request and what was authorized of it (spec section 1). */
  readonly originalRequest?: string | null;
  readonly authorized?: string | null;
  /** Where the letter contradicts itself about this item (two lists that disagree), what it says. */
  readonly conflict?: string;
  /** The claims administrator's guideline paragraph; null when the layout has none. */
  readonly claimsAdministratorGuideline: string | null;
  /** The reviewer's guideline paragraph. */
  readonly reviewerGuideline: string | null;
  /** The decision rationale. */
  readonly rationale: string;
}

/** A letter's structure as its layout printed it. */
export interface ParsedLetter {
  readonly layout: Layout;
  readonly items: ParsedItem[];
  /** How many disputed items the letter says there are, where it says so. */
  readonly listedItemCount: number | null;
  /** The overall outcome a cover page states, where it states one. */
  readonly statedOutcome: Outcome | null;
  /** What the letter shows is missing from it (a heading with no rationale after it, ...). */
  readonly missing?: string[];
}

/** Why a text is not a readable IMR determination. */
export interface NotADetermination {
  readonly reason: string;
}

/**
 * One published layout as data plus its reading: how it is recognised (its anchor), in which
 * order it is tried, and how its items are read. The registry (`./index.ts`) tries every spec
 * in `priority` order; the first whose `detect` finds its anchor reads the letter. A new layout
 * is a new spec file (its anchors, item start, sections and decision grammar), registered there.
 */
export interface LayoutSpec {
  /** The layout's name in a Determination (`layout`). */
  readonly layout: Layout;
  /** Lower is tried first: a layout whose anchor another layout's text may also hold goes later. */
  readonly priority: number;
  /** Where the layout's anchor is (the line its items start after), or null when the text is not of this layout. */
  detect(lines: readonly string[]): { readonly at: number } | null;
  /** Reads the items, or says why a letter of this layout could not be read. */
  read(lines: readonly string[], anchor: { readonly at: number }): ParsedLetter | NotADetermination;
}
