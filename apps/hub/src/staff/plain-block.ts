// A block of plain text for the person at the console, framed so that it stands apart from the
// JSON log lines around it (issue 8 item 20): the first admin password, a reset password.

/** Lines framed by rules of `=`, with blank lines around; written in one piece to stdout. */
export function framedBlock(lines: string[]): string {
  const width = Math.max(...lines.map((line) => line.length)) + 4;
  const rule = '='.repeat(width);
  return `\n${rule}\n${lines.map((line) => `  ${line}`).join('\n')}\n${rule}\n\n`;
}
