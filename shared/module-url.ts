/**
 * The URL of a module next to the caller, for `new Worker(…)`. Sources name their siblings
 * `./x.ts` and run as `.ts`; the build (dist/) runs the same code as `.js`, and the compiler
 * rewrites import specifiers but not URL strings — so the extension follows the caller's.
 */
export function siblingModule(specifier: string, callerUrl: string): URL {
  const url = new URL(specifier, callerUrl);
  if (callerUrl.endsWith('.js') && url.pathname.endsWith('.ts')) url.pathname = `${url.pathname.slice(0, -3)}.js`;
  return url;
}
