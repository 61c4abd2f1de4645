/**
 * The few pieces every server-rendered public page shares (the check-in page, the
 * network's report form, the directory's page for residents): escaping, and the
 * plain document around a page's own style and body.
 */

/** Text for HTML, text and attribute values alike. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A whole HTML document: `title` (escaped here), the page's own `css`, and `body`
 * (already HTML) inside <main>. No referrer leaves the page: its URLs may carry a code.
 * `noindex` keeps search engines away (a page behind a private link).
 */
export function publicPage(title: string, css: string, body: string, lang = "ja", options: { noindex?: boolean } = {}): string {
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
${options.noindex ? '<meta name="robots" content="noindex">\n' : ""}<title>${escapeHtml(title)}</title>
<style>${css}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}
