// The agent's and the simulator's command-line options, read with Node's `util.parseArgs`.

import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Reads `argv` as the given options, strictly (an unknown option or a missing value throws
 * Node's `ERR_PARSE_ARGS_*` error), except that the word after a string option is always its
 * value, even when it begins with "-".
 *
 * Why: the hub's enrolment tokens are base64url (enrollment.service.ts), so one in 64 begins with
 * "-", and Node's strict parser refuses `--token -x…` as ambiguous; a device name or a session
 * name may begin with one too. Such a value is joined to its option (`--token=-x…`), which Node
 * reads as meant. `--` and the forms `--opt=value` and `-o` are left as they are.
 *
 * @returns Node's `{ values, positionals }` for these options
 * @throws TypeError with `code` ERR_PARSE_ARGS_* as `util.parseArgs` does
 */
export function parseCommandLine<T extends Options>(argv: string[], options: T) {
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const word = argv[i];
    if (word === '--') {
      joined.push(...argv.slice(i));
      break;
    }
    const option =
      word.startsWith('--') && !word.includes('=') ? options[word.slice(2)] : undefined;
    if (option?.type === 'string' && i + 1 < argv.length) {
      joined.push(`${word}=${argv[i + 1]}`);
      i += 1;
    } else {
      joined.push(word);
    }
  }
  return parseArgs({ args: joined, options, strict: true });
}
