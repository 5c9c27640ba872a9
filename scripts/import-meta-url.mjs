// Injected by build-worker.mjs into the CommonJS bundles: what `import.meta.url` was in the ES module sources.
import { pathToFileURL } from 'node:url';

// eslint-disable-next-line no-undef -- CommonJS's own variable: this file is only ever bundled as CommonJS.
export const importMetaUrl = pathToFileURL(__filename).href;
