/** A table that may scroll sideways when the window is narrower than its columns. */
import type { ReactNode } from "react";

/**
 * Wraps a table in a box that scrolls sideways and takes the focus, so the
 * keyboard can scroll it too (WCAG 2.1.1; axe `scrollable-region-focusable`).
 * `label` names the box for screen readers (usually the table's caption); it is a
 * group, not a landmark, so pages do not fill up with regions.
 */
export function ScrollingTable({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a box that scrolls must take focus, or the keyboard cannot scroll it
    // biome-ignore lint/a11y/useSemanticElements: a fieldset is for form controls; this groups a table
    <div className="table-wrap" role="group" tabIndex={0} aria-label={label}>{children}</div>
  );
}
