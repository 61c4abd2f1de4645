/** Vite turns imported stylesheets into <link> tags; to TypeScript they are modules without exports. */
declare module "*.css";
