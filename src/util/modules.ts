/**
 * A module next to the caller, with the caller's own extension: `.ts` when running from src/ through tsx
 * (tests), `.js` when running the build in dist/. Worker and task files are loaded by URL, so they need it.
 */
export function siblingUrl(importMetaUrl: string, basename: string): URL {
  const ext = importMetaUrl.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${basename}${ext}`, importMetaUrl);
}
