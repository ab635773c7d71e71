/** Set by vite.config.ts at build time: the commit the page was built from. */
declare const __BUILD_COMMIT__: string;
