// The agent's and the simulator's option reading: a value that begins with "-" is still a value.

import { parseCommandLine } from './command-line';

const OPTIONS = {
  token: { type: 'string' },
  devices: { type: 'string' },
  fresh: { type: 'boolean' },
} as const;

describe('parseCommandLine', () => {
  it('takes the word after a string option as its value, whatever it begins with', () => {
    expect(
      parseCommandLine(['--token', '-Xq7vT2', '--devices', '--3', '--fresh'], OPTIONS).values,
    ).toEqual({ token: '-Xq7vT2', devices: '--3', fresh: true });
  });

  it('leaves --opt=value, a boolean before a dashed word, and words after -- as Node reads them', () => {
    expect(parseCommandLine(['--token=-a', '--fresh'], OPTIONS).values).toEqual({
      token: '-a',
      fresh: true,
    });
    expect(() => parseCommandLine(['--fresh', '-x'], OPTIONS)).toThrow(
      expect.objectContaining({ code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' }) as Error,
    );
    expect(() => parseCommandLine(['--', '--token', 'a'], OPTIONS)).toThrow(
      expect.objectContaining({ code: 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' }) as Error,
    );
  });

  it('still refuses an option with no value and an unknown option', () => {
    expect(() => parseCommandLine(['--token'], OPTIONS)).toThrow(
      expect.objectContaining({ code: 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' }) as Error,
    );
    expect(() => parseCommandLine(['--colour', 'red'], OPTIONS)).toThrow(
      expect.objectContaining({ code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' }) as Error,
    );
  });
});
