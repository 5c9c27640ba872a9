/**
 * Files that worker threads load. Worker threads always run the compiled build (dist/): Node 20 applies a
 * loader given with `--import` (tsx, used by the tests) to the main thread only, so a worker cannot load
 * `.ts` sources. Code running from src/ (tests) therefore points its workers at the matching file in dist/,
 * which `npm run build` makes. `extension` is the built file's (`.cjs` for the node worker's loader bundle).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function workerModuleUrl(importMetaUrl: string, relativePath: string, extension = '.js'): URL {
  if (!importMetaUrl.endsWith('.ts')) return new URL(`${relativePath}${extension}`, importMetaUrl);
  const source = new URL(`${relativePath}.ts`, importMetaUrl).href;
  const built = new URL(source.replace(/\/src\/(?!.*\/src\/)/, '/dist/').replace(/\.ts$/, extension));
  if (!existsSync(fileURLToPath(built))) {
    throw new Error(
      `${fileURLToPath(built)} is missing: run \`npm run build\` (worker threads run the compiled code)`,
    );
  }
  return built;
}
