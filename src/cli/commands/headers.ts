import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Argv } from 'yargs';
import { createHeadersVerifier, type HeadersVerifyResult, networkOfGenesis } from '../../chain/headers.ts';
import { HEADER_SIZE, type NetworkParams, networks } from '../../consensus/index.ts';
import { getNetworkOrUsage, wholeNumberOption } from '../args.ts';
import { commandRequired, examples } from '../help.ts';
import { EXIT_INVALID, UsageError, bad, hex256, ok, printFields, printJSON } from '../output.ts';

// Files are read in chunks of whole headers (about 8 MiB): readFileSync cannot read a file over 2 GiB
// (ERR_FS_FILE_TOO_LARGE), and a chunk at a time keeps memory flat.
const CHUNK_BYTES = Math.floor((8 * 1024 * 1024) / HEADER_SIZE) * HEADER_SIZE;

/** Opens a file of raw headers; every problem with it is a UsageError. */
function openHeaderFile(file: string): { fd: number; size: number } {
  let fd: number;
  let size: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw new UsageError(
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
    );
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new UsageError(`${file} is not a regular file`);
    size = st.size;
    if (size % HEADER_SIZE !== 0) {
      throw new UsageError(
        `${file} is ${size} bytes, which is not a whole number of ${HEADER_SIZE}-byte headers (${size % HEADER_SIZE} byte(s) left over)`,
      );
    }
    if (size === 0)
      throw new UsageError(`${file} is empty: it should hold raw 80-byte headers starting at genesis`);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return { fd, size };
}

/** Reads `buf.length` bytes at `position`, or throws if the file ends first (it shrank while being read). */
function readExactly(fd: number, buf: Uint8Array, position: number, file: string): void {
  for (let got = 0; got < buf.length;) {
    const n = readSync(fd, buf, got, buf.length - got, position + got);
    if (n === 0) throw new UsageError(`${file} ended at byte ${position + got} while being read`);
    got += n;
  }
}

/**
 * Verifies the headers in `file` chunk by chunk, stopping at the first invalid one. The rules are those
 * of `network`, else of the network whose genesis the file starts with (bitcoin if none).
 */
function verifyHeaderFile(
  file: string,
  network: NetworkParams | undefined,
  now: number,
  onProgress: (done: number, total: number) => void,
): HeadersVerifyResult {
  const { fd, size } = openHeaderFile(file);
  try {
    const buf = new Uint8Array(Math.min(CHUNK_BYTES, size));
    readExactly(fd, buf, 0, file);
    const verifier = createHeadersVerifier({
      params: network ?? networkOfGenesis(buf.subarray(0, HEADER_SIZE)) ?? networks.bitcoin,
      now,
      total: size / HEADER_SIZE,
      onProgress,
    });
    for (let position = 0; position < size; position += buf.length) {
      const chunk = buf.subarray(0, Math.min(buf.length, size - position));
      if (position > 0) readExactly(fd, chunk, position, file);
      if (verifier.push(chunk)) break;
    }
    return verifier.finish();
  } finally {
    closeSync(fd);
  }
}

export function headersCommand(y: Argv): Argv {
  return y.command('headers', 'Work with files of raw 80-byte headers', (c) =>
    c
      .command(
        'verify <file>',
        'Validate consecutive raw headers that start at a network genesis: linkage, proof-of-work, required bits, timestamps',
        (v) =>
          examples(v, [
            [
              'the first 439 mainnet headers, a file in the repository',
              '$0 headers verify test/vectors/bitcoin-mainnet-headers-0-438.bin',
            ],
          ])
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
              describe:
                "the clock, in whole Unix seconds, for the 2-hour future limit (default: this machine's clock)",
            })
            .option('json', { type: 'boolean', default: false, describe: 'print JSON for scripts' })
            .epilog(
              'Exit status: 0 all headers valid, 1 a header is invalid (its height and reason are printed), 2 usage error.',
            ),
        (argv) => {
          const network = argv.network ? getNetworkOrUsage(argv.network) : undefined;
          // A header's time is a u32, so a clock outside it is a mistake (and NaN would disable the check).
          const now =
            argv.now === undefined
              ? Math.floor(Date.now() / 1000)
              : wholeNumberOption('now', argv.now, 0, 0xffffffff);
          const showProgress = !argv.json && process.stderr.isTTY;
          const started = performance.now();
          const result = verifyHeaderFile(argv.file, network, now, (done, total) => {
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
      .demandCommand(1, commandRequired('headers subcommand')),
  );
}
