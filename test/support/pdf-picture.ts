/**
 * A PDF looked at as a picture: Mozilla's pdf.js (pdfjs-dist) draws one page
 * onto a canvas in Chromium, as a reader's PDF viewer would, and the test gets
 * the image (PNG) and where each piece of text was drawn, with how much ink
 * there is in that place. A text that is in the file but drawn white, clipped
 * or off the page has no ink where it should be.
 *
 * pdf.js is served, with the document, from a local server of its own: the
 * console's strict CSP plays no part here.
 */
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import type { Browser } from "playwright-core";

const PDFJS = join(import.meta.dirname, "..", "..", "node_modules", "pdfjs-dist");
const TYPES: Record<string, string> = { ".mjs": "text/javascript", ".html": "text/html", ".bcmap": "application/octet-stream", ".pfb": "application/octet-stream" };

/** A text drawn on the page: its string and its box in the image's pixels (top-left origin). */
export interface DrawnText { text: string; x: number; y: number; width: number; height: number; ink: number }

export interface PdfPicture {
  /** The page as a PNG image. */
  png: Buffer;
  width: number;
  height: number;
  /** Share (0–1) of the page's pixels that are ink (darker than mid-grey). */
  ink: number;
  pages: number;
  /** Each piece of text as pdf.js found it (a line may come in many pieces). */
  texts: DrawnText[];
  /**
   * The pieces joined into lines (same baseline, left to right), normalised to
   * NFKC: PDF text often maps 月 to the radical ⽉ and splits words.
   */
  lines: DrawnText[];
}

/** Pieces on the same baseline (within half a line's height), joined left to right. */
export function linesOf(texts: DrawnText[]): DrawnText[] {
  const sorted = [...texts].sort((a, b) => a.y - b.y || a.x - b.x);
  const lines: DrawnText[][] = [];
  for (const piece of sorted) {
    const line = lines.find((l) => Math.abs(l[0].y - piece.y) < l[0].height / 2);
    if (line) line.push(piece);
    else lines.push([piece]);
  }
  return lines.map((pieces) => {
    pieces.sort((a, b) => a.x - b.x);
    const x = Math.min(...pieces.map((p) => p.x));
    const y = Math.min(...pieces.map((p) => p.y));
    const right = Math.max(...pieces.map((p) => p.x + p.width));
    const bottom = Math.max(...pieces.map((p) => p.y + p.height));
    const area = pieces.reduce((sum, p) => sum + p.width * p.height, 0);
    const ink = area ? pieces.reduce((sum, p) => sum + p.ink * p.width * p.height, 0) / area : 0;
    return { text: pieces.map((p) => p.text).join("").normalize("NFKC"), x, y, width: right - x, height: bottom - y, ink };
  });
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>pdf</title><body style="margin:0"><canvas id="page"></canvas>
<script type="module">
import * as pdfjs from "/pdfjs/build/pdf.min.mjs";
pdfjs.GlobalWorkerOptions.workerSrc = "/pdfjs/build/pdf.worker.min.mjs";
const params = new URLSearchParams(location.search);
const doc = await pdfjs.getDocument({ url: "/doc.pdf", cMapUrl: "/pdfjs/cmaps/", cMapPacked: true, standardFontDataUrl: "/pdfjs/standard_fonts/" }).promise;
const page = await doc.getPage(Number(params.get("page")));
const viewport = page.getViewport({ scale: Number(params.get("scale")) });
const canvas = document.getElementById("page");
canvas.width = Math.ceil(viewport.width);
canvas.height = Math.ceil(viewport.height);
const context = canvas.getContext("2d", { willReadFrequently: true });
await page.render({ canvasContext: context, canvas, viewport }).promise;
const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
const dark = (x, y) => { const i = (y * canvas.width + x) * 4; return 0.299 * pixels[i] + 0.587 * pixels[i + 1] + 0.114 * pixels[i + 2] < 128; };
const inkIn = (x0, y0, x1, y1) => {
  let n = 0, all = 0;
  for (let y = Math.max(0, Math.floor(y0)); y < Math.min(canvas.height, Math.ceil(y1)); y++)
    for (let x = Math.max(0, Math.floor(x0)); x < Math.min(canvas.width, Math.ceil(x1)); x++) { all++; if (dark(x, y)) n++; }
  return all ? n / all : 0;
};
const content = await page.getTextContent();
const texts = content.items.filter((item) => item.str && item.str.trim()).map((item) => {
  const m = pdfjs.Util.transform(viewport.transform, item.transform);
  const height = Math.hypot(m[2], m[3]);
  const x = m[4], y = m[5] - height, width = item.width * viewport.scale;
  return { text: item.str, x, y, width, height, ink: inkIn(x, y, x + width, y + height) };
});
window.drawn = { width: canvas.width, height: canvas.height, ink: inkIn(0, 0, canvas.width, canvas.height), pages: doc.numPages, texts };
</script>`;

/**
 * Draw page `pageNumber` (1-based) of `pdf` at `scale` (1 = 72 dpi) in a new
 * page of `browser`. Throws when pdf.js cannot read the file.
 */
export async function pdfPicture(browser: Browser, pdf: Buffer, pageNumber = 1, scale = 1.5): Promise<PdfPicture> {
  const server = createServer(async (request, response) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    try {
      if (path === "/doc.pdf") return void response.writeHead(200, { "content-type": "application/pdf" }).end(pdf);
      if (path === "/") return void response.writeHead(200, { "content-type": "text/html" }).end(PAGE);
      const file = normalize(path.replace(/^\/pdfjs\//, ""));
      if (!path.startsWith("/pdfjs/") || file.startsWith("..")) return void response.writeHead(404).end();
      response.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(await readFile(join(PDFJS, file)));
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const failures: string[] = [];
    page.on("pageerror", (error) => failures.push(error.message));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/?page=${pageNumber}&scale=${scale}`);
    const handle = await page.waitForFunction(() => (globalThis as unknown as { drawn?: unknown }).drawn, undefined, { timeout: 60_000 })
      .catch((error: Error) => {
        throw new Error(`pdf.js did not draw the page: ${failures.join("; ") || error.message}`);
      });
    const drawn = await handle.jsonValue() as Omit<PdfPicture, "png" | "lines">;
    const png = await page.locator("#page").screenshot();
    return { ...drawn, png, lines: linesOf(drawn.texts) };
  } finally {
    await context.close();
    server.close();
  }
}
