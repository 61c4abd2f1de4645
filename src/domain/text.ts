/**
 * What text any input may hold: the one rule behind every string field of the
 * API (src/http/schemas.ts), the webhooks and forms we store, and the domain's
 * own validators (partner reports). Issue 9 §3.
 *
 * - Nothing holds a lone UTF-16 surrogate (not Unicode: PostgreSQL refuses it in
 *   JSON, and it would be stored as U+FFFD otherwise) or a C0/C1 control character
 *   (NUL reaches PostgreSQL as an error).
 * - Single-line text holds no line break of any kind either: tab, CR, LF, and the
 *   Unicode line and paragraph separators U+2028/U+2029 (a name or an address
 *   printed on one line, a CSV cell, an SMS sender).
 * - Multi-line text (notes, descriptions, templates) may hold tab, CR, LF, U+2028 and U+2029.
 */

/** C0 and C1 control characters (U+0000–001F, U+007F–009F) and the Unicode line/paragraph separators. */
const SINGLE_LINE_REFUSED = /[\p{Cc}\u2028\u2029]/u;
/** C0 and C1 controls other than tab, CR and LF. */
const MULTILINE_REFUSED = /(?![\t\n\r])\p{Cc}/u;

export type TextProblem = { code: "control_character" | "lone_surrogate"; message: string };

/** Why a string is not acceptable text, or undefined when it is (see the module's rules). */
export function textProblem(value: string, multiline = false): TextProblem | undefined {
  if (!value.isWellFormed()) return { code: "lone_surrogate", message: "must be valid Unicode text (it holds a lone surrogate)" };
  if ((multiline ? MULTILINE_REFUSED : SINGLE_LINE_REFUSED).test(value)) {
    return {
      code: "control_character",
      message: multiline ? "must not hold control characters other than tab and line breaks" : "must not hold control characters (NUL, tab, line breaks…)",
    };
  }
  return undefined;
}
