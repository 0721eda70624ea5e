// Every migration, in order. Add new ones at the end; never edit one that has landed.
import { CreateStaffAndAudit1764000000000 } from './1764000000000-CreateStaffAndAudit';

export const MIGRATIONS = [CreateStaffAndAudit1764000000000];
