// `npm run docs:platforms`: writes docs/policy-platforms.md from the platform table
// (libs/policy/src/platforms.ts). Run it after changing the table, and commit both.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderPlatformDoc } from '../src/platforms-doc';

const target = join(__dirname, '..', '..', '..', 'docs', 'policy-platforms.md');
writeFileSync(target, renderPlatformDoc(), 'utf8');
process.stdout.write(`wrote ${target}\n`);
