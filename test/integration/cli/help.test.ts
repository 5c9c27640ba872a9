/**
 * Help a newcomer can use: every command's help (found from the top-level list, recursively) at 80, 100 and
 * 120 columns never splits a hex string across lines, and its examples are whole lines a shell can run as
 * copied: each a `# comment`, a command, or the continuation of a line ending in `\`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createCli } from '../../../src/cli/cli.ts';
import { runCli } from '../../helpers/cli.ts';

async function helpOf(path: string[], width: number): Promise<string> {
  let text = '';
  await createCli([], { width }).parseAsync([...path, '--help'], {}, (_err, _argv, output) => {
    text = output;
  });
  return text;
}

/** The subcommands a help lists under "Commands:", as paths. */
function subcommands(help: string, path: string[]): string[][] {
  const section = help.split('\nCommands:\n')[1]?.split('\n\n')[0] ?? '';
  return [...section.matchAll(/^ {2}chainsim ((?:[a-z]+ ?)+?)(?= {2}| <|$)/gm)]
    .map((m) => m[1]!.trim().split(' '))
    .filter((p) => p.length === path.length + 1);
}

async function everyHelp(width: number): Promise<Map<string, string>> {
  const helps = new Map<string, string>();
  const queue: string[][] = [[]];
  while (queue.length > 0) {
    const path = queue.shift()!;
    const help = await helpOf(path, width);
    helps.set(path.join(' ') || '(none)', help);
    queue.push(...subcommands(help, path));
  }
  return helps;
}

/** Pairs of lines where a hex run of 16+ characters is cut by the line end. */
function splitHex(help: string): string[] {
  const lines = help.split('\n');
  const found: string[] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    const tail = /[0-9a-f]+$/i.exec(lines[i]!)?.[0] ?? '';
    const head = /^\s*([0-9a-f]+)/i.exec(lines[i + 1]!)?.[1] ?? '';
    if (tail && head && tail.length + head.length >= 16) found.push(`${lines[i]}\n${lines[i + 1]}`);
  }
  return found;
}

describe('help', () => {
  test('lists every command and subcommand', async () => {
    const helps = await everyHelp(100);
    for (const command of ['simulate', 'header', 'merkle', 'headers verify', 'node run', 'node reindex'])
      assert.ok(helps.has(command), command);
    for (const command of ['wallet new', 'wallet address', 'wallet balance', 'send', 'proof verify'])
      assert.ok(helps.has(command), command);
  });
  for (const width of [80, 100, 120]) {
    test(`at ${width} columns no help splits a hex string, and every example is whole`, async () => {
      for (const [command, help] of await everyHelp(width)) {
        assert.deepEqual(splitHex(help), [], `chainsim ${command} --help`);
        const section = help.split('\nExamples:\n')[1]?.split('\n\n')[0];
        if (section === undefined) continue;
        const lines = section.split('\n').map((l) => l.trim());
        lines.forEach((line, i) => {
          const continued = i > 0 && lines[i - 1]!.endsWith('\\');
          assert.ok(
            continued || /^(# |chainsim |curl )/.test(line),
            `chainsim ${command} --help: example line ${JSON.stringify(line)} is a wrapped piece`,
          );
        });
      }
    });
  }
  test('wallet address and wallet balance have examples', async () => {
    for (const command of ['address', 'balance']) {
      const help = await helpOf(['wallet', command], 100);
      assert.match(help, new RegExp(`Examples:\\n(.*\\n)*\\s+chainsim wallet ${command}`), command);
    }
  });
  test('the headers verify example names a file in the repository', async () => {
    assert.match(
      await helpOf(['headers', 'verify'], 100),
      /chainsim headers verify test\/vectors\/bitcoin-mainnet-headers-0-438\.bin/,
    );
  });
});

describe('chainsim with no command', () => {
  test('prints the list of commands and a usage error, exit 2', () => {
    const r = runCli([]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /Commands:\n(.*\n)*\s+chainsim simulate /);
    assert.match(r.stderr, /error: name a command: see the list above/);
    const wallet = runCli(['wallet']);
    assert.equal(wallet.status, 2);
    assert.match(wallet.stderr, /chainsim wallet balance/);
  });
});
