/**
 * A part of a directory page that opens on demand (issue 14: on a phone a
 * service's page stacked every editing form into one ~6,000 px column). React
 * Aria's Disclosure: the heading holds a button with aria-expanded and
 * aria-controls, its panel hidden until opened. Closed at first on a phone,
 * open at first on a wider screen (where the forms sit side by side and
 * scrolling is cheap); the summary (a count, the current value) shows while
 * closed (open, the part itself says it).
 */
import { type ReactNode, useState } from "react";
import { Button, Disclosure, DisclosurePanel, Heading } from "react-aria-components";

/** Wider than a phone held upright (the console's own breakpoint, styles.css: 40rem). */
const WIDE = "(min-width: 40.01rem)";
export const wideScreen = () => typeof matchMedia === "function" && matchMedia(WIDE).matches;

export function PartDisclosure({ id, title, summary, className, level = 2, children }: {
  id: string; title: string; summary?: string | null | undefined; className?: string;
  /** 3 for a disclosure inside a part of its own. */
  level?: 2 | 3; children: ReactNode;
}) {
  const [expanded, setExpanded] = useState(wideScreen);
  return (
    <section aria-labelledby={id} className={`part-disclosure ${className ?? ""}`.trim()}>
      <Disclosure isExpanded={expanded} onExpandedChange={setExpanded}>
        <Heading level={level} id={id}>
          <Button slot="trigger" className="disclosure-trigger">
            <span aria-hidden="true" className="disclosure-mark">{expanded ? "▾" : "▸"}</span>
            {title}
            {summary && !expanded ? <span className="disclosure-summary">{summary}</span> : null}
          </Button>
        </Heading>
        <DisclosurePanel>{children}</DisclosurePanel>
      </Disclosure>
    </section>
  );
}
