/**
 * Builds the console (web/ → web/dist) with Vite. Run by `npm install` / `npm ci`
 * (the `prepare` script) and by `npm start` with `--if-missing` (builds only when
 * web/dist has no index.html), so `npm install && npm start` serves the console
 * with nothing else to do.
 *
 * An install without development packages (`npm ci --omit=dev`) has no Vite: the
 * build is skipped with one line saying so, never a failed install; the service
 * then answers the console's paths with a page that says how to build it. A dry
 * run (`npm ci --dry-run`, which installs nothing) skips it in package.json.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../web/", import.meta.url));
const outDir = `${root}dist`;

if (process.argv.includes("--if-missing") && existsSync(`${outDir}/index.html`)) process.exit(0);

let vite: typeof import("vite");
let react: typeof import("@vitejs/plugin-react");
try {
  vite = await import("vite");
  react = await import("@vitejs/plugin-react");
} catch {
  process.stderr.write("mimamori: the console was not built (Vite is a development package and is not installed); run npm install, then npm run build:web\n");
  process.exit(0);
}

await vite.build({
  root,
  base: "/",
  configFile: false,
  logLevel: "warn",
  plugins: [react.default()],
  build: { outDir, emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1500 },
});
process.stdout.write(`mimamori: console built into ${outDir}\n`);
