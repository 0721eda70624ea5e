// Every action the hub writes has words in the one table the console shows (@app/hub-api), so a
// new action cannot reach the log as a bare code: the hub's sources are read for the codes.
import { AUDIT_ACTION_WORDS } from '@app/hub-api';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AuditEntryEntity } from './audit-entry.entity';
import { toAuditEntryView } from './audit.service';

const SOURCES = path.join(__dirname, '..');

/** The hub's TypeScript files, specs left out. */
function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return sourceFiles(full);
    }
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [full] : [];
  });
}

/** `action: 'x.y'`, `action: cond ? 'x.y' : 'x.z'`, and the command answers' `command.${status}`. */
function actionsWritten(): Set<string> {
  const found = new Set<string>();
  for (const file of sourceFiles(SOURCES)) {
    const text = fs.readFileSync(file, 'utf8');
    for (const match of text.matchAll(/action:\s*([^,\n]+)/g)) {
      for (const code of match[1].matchAll(/'([a-z_]+\.[a-z_]+)'/g)) {
        found.add(code[1]);
      }
    }
    // Removals pass their action as an argument (policy overlays).
    for (const code of text.matchAll(/'(policy\.overlay_[a-z_]+)'/g)) {
      found.add(code[1]);
    }
  }
  for (const status of ['acknowledged', 'error', 'not_now']) {
    found.add(`command.${status}`);
  }
  return found;
}

describe('audit action words', () => {
  it('has words for every action the hub writes', () => {
    const written = [...actionsWritten()];
    expect(written.length).toBeGreaterThan(50);
    expect(written.filter((action) => !(action in AUDIT_ACTION_WORDS))).toEqual([]);
  });

  it('answers each entry with its action in words beside the code', () => {
    const entry = Object.assign(new AuditEntryEntity(), {
      seq: 7,
      at: new Date('2026-12-03T09:00:00Z'),
      actorType: 'staff',
      actorId: 'a',
      actorLabel: 'ivy',
      actorName: 'Ivy',
      action: 'staff.disabled',
      targetType: 'staff',
      targetId: 'b',
      targetLabel: 'Tess Teacher (tess)',
      detail: JSON.stringify({ changed: ['disabled'], disabled: true }),
      correlationId: null,
    });
    expect(toAuditEntryView(entry, 'UTC')).toMatchObject({
      action: 'staff.disabled',
      actionText: 'Account disabled',
    });
  });
});
