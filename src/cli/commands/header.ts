import type { Argv } from 'yargs';
import {
  blockWork,
  ConsensusError,
  decodeBits,
  decodeHeader,
  difficulty,
  headerHash,
  meetsTarget,
} from '../../consensus/index.ts';
import { getNetworkOrUsage } from '../args.ts';
import { examples } from '../help.ts';
import { EXIT_INVALID, UsageError, bad, hex256, hex32, ok, printFields, printJSON } from '../output.ts';

export function headerCommand(y: Argv): Argv {
  return y.command(
    'header <hex>',
    'Decode an 80-byte block header given as 160 hex characters',
    (c) =>
      examples(c, [
        [
          "the Bitcoin genesis header, the first of the repository's mainnet headers",
          '$0 header "$(od -An -v -tx1 -N 80 \\',
          "  test/vectors/bitcoin-mainnet-headers-0-438.bin | tr -d ' \\n')\"",
        ],
      ])
        .positional('hex', { type: 'string', demandOption: true, describe: '160 hex characters (80 bytes)' })
        .option('network', {
          type: 'string',
          default: 'bitcoin',
          describe: 'rules for the proof-of-work check (bitcoin, sim, regtest)',
        })
        .option('json', { type: 'boolean', default: false, describe: 'print JSON for scripts' }),
    (argv) => {
      const params = getNetworkOrUsage(argv.network);
      let header;
      try {
        header = decodeHeader(argv.hex.trim());
      } catch (err) {
        if (err instanceof ConsensusError) throw new UsageError(`not a header: ${err.message}`);
        throw err;
      }
      const hash = headerHash(argv.hex.trim());
      const { target, negative, overflow } = decodeBits(header.bits);
      const powValid = meetsTarget(hash, header.bits, params);
      const work = blockWork(header.bits);
      const result = {
        hash,
        ...header,
        bitsHex: hex32(header.bits),
        target: hex256(target),
        negative,
        overflow,
        difficulty: difficulty(header.bits),
        work: hex256(work),
        powValid,
        network: params.name,
      };
      if (argv.json) {
        printJSON(result);
      } else {
        printFields('header', [
          ['hash', hash],
          ['version', `${header.version} (${hex32(header.version)})`],
          ['prevHash', header.prevHash],
          ['merkleRoot', header.merkleRoot],
          ['time', `${header.time} (${new Date(header.time * 1000).toISOString()})`],
          [
            'bits',
            `${hex32(header.bits)}${negative ? bad(' negative') : ''}${overflow ? bad(' overflow') : ''}`,
          ],
          ['nonce', String(header.nonce)],
          ['target', result.target],
          ['difficulty', String(result.difficulty)],
          ['work', `${work} (0x${work.toString(16)})`],
          [
            'proof-of-work',
            powValid ? ok(`valid (${params.name} rules)`) : bad(`invalid (${params.name} rules)`),
          ],
        ]);
      }
      if (!powValid) process.exitCode = EXIT_INVALID;
    },
  );
}
