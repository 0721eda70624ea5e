// The audit log as the API answers it: one entry, and a page of them.
import { ApiProperty } from '@nestjs/swagger';
import type { AuditPerson } from '@app/hub-api';
import type { AuditEntryView } from '../audit.service';

export class AuditEntryDto implements AuditEntryView {
  @ApiProperty({ description: 'Order of writing: a later entry has a larger id', example: 4711 })
  id: number;

  @ApiProperty({ description: 'When, in UTC (RFC 3339)', example: '2026-12-01T09:15:02.000Z' })
  at: string;

  @ApiProperty({
    description: 'The same moment in the school’s time zone (HUB_TIME_ZONE), with its offset',
    example: '2026-12-01T09:15:02+00:00',
  })
  atLocal: string;

  @ApiProperty({ enum: ['staff', 'device', 'system', 'shell'] })
  actorType: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The staff account or device id; null for the hub itself and the shell',
  })
  actorId: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Username of the member of staff, OS user at the shell, or `hub`',
    example: 'apatel',
  })
  actor: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'Who acted, named as they were when the entry was written: a display name, or a ' +
      'device’s name and asset tag. Null on entries written before names were kept.',
    example: 'Ms Patel',
  })
  actorName: string | null;

  @ApiProperty({ example: 'command.issued' })
  action: string;

  @ApiProperty({
    description: 'The action in words, as the console shows it (one table, @app/hub-api)',
    example: 'Command sent',
  })
  actionText: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'device',
    description: 'device, staff, group, policy, enrollment_token, aup, ...',
  })
  targetType: string | null;

  @ApiProperty({ type: String, nullable: true })
  targetId: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'What the target was called when the entry was written: a device’s name and asset tag, ' +
      'a person’s display name and username, a group’s or policy’s name, a token’s label. ' +
      'Null on entries written before labels were kept.',
    example: 'Laptop 12 (asset tag 4471)',
  })
  targetLabel: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'What happened, as data (never passwords or tokens)',
  })
  detail: Record<string, unknown> | null;

  @ApiProperty({
    description: 'The detail as readable text, times in the school’s zone; empty for none',
    example: 'lock; message: "Back to your seats"; expires 2026-12-01T10:00:00+00:00',
  })
  detailText: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The request that made the change (its X-Request-Id)',
  })
  correlationId: string | null;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEntryDto], description: 'Newest first' })
  items: AuditEntryDto[];

  @ApiProperty({ description: 'How many entries match the filters in all' })
  total: number;

  @ApiProperty()
  page: number;

  @ApiProperty()
  pageSize: number;
}

/** A member of staff the log names as having acted, named as their account is now. */
export class AuditPersonDto implements AuditPerson {
  @ApiProperty({ description: 'The staff account’s id, as entries’ actorId has it' })
  id: string;

  @ApiProperty({ example: 'apatel' })
  username: string;

  @ApiProperty({ example: 'Mrs Anita Patel' })
  displayName: string;
}

export class AuditPeoplePageDto {
  @ApiProperty({ type: [AuditPersonDto], description: 'By display name, then username' })
  items: AuditPersonDto[];

  @ApiProperty({ description: 'How many people match in all' })
  total: number;

  @ApiProperty()
  page: number;

  @ApiProperty()
  pageSize: number;
}
