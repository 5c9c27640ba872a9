/**
 * How help prints. yargs sets examples in a column at most half the width and hard-wraps every column, which
 * broke a txid in two and split a command over lines a shell reads as two commands. So an example here is a
 * comment line and then its command, each line full width and short enough never to wrap, a long command
 * continued with ` \` (test/cli/help.test.ts checks every command's help at 80 and 120 columns).
 */
import type { Argv } from 'yargs';

/** The help's width: the terminal's (or $COLUMNS), within [80, 120]; 100 when unknown. */
export function helpWidth(): number {
  const columns = process.stdout.columns || Number(process.env.COLUMNS) || 100;
  return Math.max(80, Math.min(120, columns));
}

/** The longest line an example may have: the narrowest width less yargs' padding of 2 on each side. */
export const EXAMPLE_WIDTH = 76;

/** One example: what it does, then the command's lines (`$0` is the program's name). */
export type Example = readonly [description: string, ...lines: string[]];

/** Adds examples, each as `# description` and then the command. */
export function examples<T>(y: Argv<T>, list: readonly Example[]): Argv<T> {
  return list.reduce(
    (c, [description, ...lines]) => c.example([`# ${description}`, ...lines].join('\n'), ''),
    y,
  );
}

/** demandCommand's message: the fail handler prints the help, with the list, above it. */
export const commandRequired = (what: string): string => `name a ${what}: see the list above`;

export function isCommandRequired(message: string): boolean {
  return message.endsWith(': see the list above');
}
