import { readFileSync, statSync } from 'node:fs';
import type { Argv } from 'yargs';
import { networkOfGenesis, verifyHeaders } from '../../chain/headers.ts';
import { HEADER_SIZE, networks } from '../../consensus/index.ts';
import { getNetworkOrUsage } from './header.ts';
import { EXIT_INVALID, UsageError, bad, hex256, ok, printFields, printJSON } from '../output.ts';

function readHeaderFile(file: string): Uint8Array {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new UsageError(`${file} is not a regular file`);
    size = st.size;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
    );
  }
  if (size % HEADER_SIZE !== 0) {
    throw new UsageError(
      `${file} is ${size} bytes, which is not a whole number of ${HEADER_SIZE}-byte headers (${size % HEADER_SIZE} byte(s) left over)`,
    );
  }
  if (size === 0)
    throw new UsageError(`${file} is empty: it should hold raw 80-byte headers starting at genesis`);
  return readFileSync(file);
}

export function headersCommand(y: Argv): Argv {
  return y.command('headers', 'Work with files of raw 80-byte headers', (c) =>
    c
      .command(
        'verify <file>',
        'Validate consecutive raw headers that start at a network genesis: linkage, proof-of-work, required bits, timestamps',
        (v) =>
          v
            .positional('file', {
              type: 'string',
              demandOption: true,
              describe: 'file of concatenated 80-byte headers',
            })
            .option('network', {
              type: 'string',
              describe: `rules to apply (${Object.keys(networks).join(', ')}); default: the network whose genesis the file starts with`,
            })
            .option('now', {
              type: 'number',
              describe:
                "the clock, in Unix seconds, for the 2-hour future limit (default: this machine's clock)",
            })
            .option('json', { type: 'boolean', default: false, describe: 'print JSON for scripts' })
            .example(
              '$0 headers verify bitcoin-mainnet-headers-0-438.bin --network bitcoin',
              'check the first 439 mainnet headers',
            )
            .epilog(
              'Exit status: 0 all headers valid, 1 a header is invalid (its height and reason are printed), 2 usage error.',
            ),
        (argv) => {
          const data = readHeaderFile(argv.file);
          const params = argv.network
            ? getNetworkOrUsage(argv.network)
            : (networkOfGenesis(data.subarray(0, HEADER_SIZE)) ?? networks.bitcoin);
          const now = argv.now ?? Math.floor(Date.now() / 1000);
          const showProgress = !argv.json && process.stderr.isTTY;
          const started = performance.now();
          const result = verifyHeaders(data, params, now, (done, total) => {
            if (showProgress) process.stderr.write(`\rverifying headers: ${done}/${total}`);
          });
          if (showProgress) process.stderr.write('\r\x1b[K');
          const seconds = (performance.now() - started) / 1000;
          if (argv.json) {
            printJSON({
              ...(result.ok ? { ...result, chainwork: hex256(result.chainwork) } : result),
              seconds,
            });
          } else if (result.ok) {
            printFields(`${ok('valid')} ${argv.file}`, [
              ['network', result.network],
              ['headers', String(result.count)],
              ['tip height', String(result.height)],
              ['tip hash', result.tip],
              ['chainwork', `${hex256(result.chainwork)} (${result.chainwork})`],
              [
                'time',
                `${seconds.toFixed(3)} s (${Math.round(result.count / Math.max(seconds, 1e-9))} headers/s)`,
              ],
            ]);
          } else {
            printFields(`${bad('invalid')} ${argv.file}`, [
              ['network', result.network],
              ['height', String(result.height)],
              ['reason', bad(result.reason)],
              ['message', result.message],
              ['hash', result.hash ?? '-'],
            ]);
          }
          if (!result.ok) process.exitCode = EXIT_INVALID;
        },
      )
      .demandCommand(1, 'name a headers subcommand, e.g. `chainsim headers verify <file>`'),
  );
}
