// The hub's one typed configuration: read from the environment once at boot and validated,
// so a bad setting stops the start with a message that names it.
import * as path from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface HubConfig {
  port: number;
  host: string;
  dataDir: string;
  database: { type: 'sqlite'; path: string };
  adminPassword: string | null;
  storeDir: string;
  logLevel: LogLevel;
  timeZone: string;
  auth: {
    sessionHours: number;
    passwordMinLength: number;
    /** Failures before each further attempt is slowed down. */
    slowAfterFailures: number;
    /** Added delay per failure past `slowAfterFailures`, capped at ten steps. */
    slowDelayMs: number;
    /** Failures that lock the account for `lockMinutes`. */
    lockAfterFailures: number;
    lockMinutes: number;
    oneSessionPerAccount: boolean;
  };
  aupFile: string | null;
  auditRetentionDays: number;
  commands: { ackTimeoutMs: number; notNowRetryMs: number; retentionDays: number };
}

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`${setting}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS: readonly LogLevel[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

function text(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) {
    return fallback;
  }
  if (!/^-?\d+$/.test(raw)) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got '${raw}'`);
  }
  const value = Number(raw);
  if (value < min || value > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got '${raw}'`);
  }
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = text(env, name);
  if (raw === undefined) {
    return fallback;
  }
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) {
    return true;
  }
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) {
    return false;
  }
  throw new ConfigError(name, `must be true or false, got '${raw}'`);
}

function timeZone(env: Env, name: string): string {
  const raw = text(env, name) ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: raw });
  } catch {
    throw new ConfigError(name, `must be an IANA time zone such as Europe/London, got '${raw}'`);
  }
  return raw;
}

function database(env: Env, dataDir: string): HubConfig['database'] {
  const raw = text(env, 'HUB_DB');
  if (raw === undefined) {
    return { type: 'sqlite', path: path.join(dataDir, 'hub.sqlite') };
  }
  if (raw.startsWith('sqlite:')) {
    const file = raw.slice('sqlite:'.length);
    if (file === '') {
      throw new ConfigError(
        'HUB_DB',
        "sqlite: needs a file path, as in 'sqlite:./data/hub.sqlite'",
      );
    }
    return { type: 'sqlite', path: path.resolve(file) };
  }
  if (/^postgres(ql)?:\/\//.test(raw)) {
    throw new ConfigError(
      'HUB_DB',
      'PostgreSQL is not supported by this version of the hub yet; use sqlite:<file> or leave it unset',
    );
  }
  throw new ConfigError('HUB_DB', `must be 'sqlite:<file>', got '${raw}'`);
}

export function loadHubConfig(env: Env): HubConfig {
  const dataDir = path.resolve(text(env, 'HUB_DATA_DIR') ?? './data');
  const logLevel = (text(env, 'HUB_LOG_LEVEL') ?? 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel as LogLevel)) {
    throw new ConfigError(
      'HUB_LOG_LEVEL',
      `must be one of ${LOG_LEVELS.join(', ')}, got '${logLevel}'`,
    );
  }
  const passwordMinLength = integer(env, 'HUB_PASSWORD_MIN_LENGTH', 6, 6, 128);
  const adminPassword =
    env.HUB_ADMIN_PASSWORD === undefined || env.HUB_ADMIN_PASSWORD === ''
      ? null
      : env.HUB_ADMIN_PASSWORD;
  const slowAfterFailures = integer(env, 'HUB_LOGIN_SLOW_AFTER', 3, 1, 100);
  const lockAfterFailures = integer(env, 'HUB_LOGIN_LOCK_AFTER', 10, 2, 1000);
  if (lockAfterFailures <= slowAfterFailures) {
    throw new ConfigError(
      'HUB_LOGIN_LOCK_AFTER',
      `must be more than HUB_LOGIN_SLOW_AFTER (${slowAfterFailures})`,
    );
  }
  return {
    port: integer(env, 'HUB_PORT', 8080, 0, 65535),
    host: text(env, 'HUB_HOST') ?? '0.0.0.0',
    dataDir,
    database: database(env, dataDir),
    adminPassword,
    storeDir: path.resolve(text(env, 'HUB_STORE_DIR') ?? path.join(dataDir, 'store')),
    logLevel: logLevel as LogLevel,
    timeZone: timeZone(env, 'HUB_TIME_ZONE'),
    auth: {
      sessionHours: integer(env, 'HUB_SESSION_HOURS', 12, 1, 24 * 30),
      passwordMinLength,
      slowAfterFailures,
      slowDelayMs: integer(env, 'HUB_LOGIN_SLOW_DELAY_MS', 500, 0, 10000),
      lockAfterFailures,
      lockMinutes: integer(env, 'HUB_LOGIN_LOCK_MINUTES', 15, 1, 24 * 60),
      oneSessionPerAccount: flag(env, 'HUB_ONE_SESSION_PER_ACCOUNT', false),
    },
    aupFile: text(env, 'HUB_AUP_FILE') ? path.resolve(text(env, 'HUB_AUP_FILE') as string) : null,
    auditRetentionDays: integer(env, 'HUB_AUDIT_RETENTION_DAYS', 3650, 30, 36500),
    commands: {
      ackTimeoutMs: integer(env, 'HUB_COMMAND_ACK_TIMEOUT_MS', 30000, 1000, 600000),
      notNowRetryMs: integer(env, 'HUB_COMMAND_RETRY_MS', 30000, 30000, 86400000),
      retentionDays: integer(env, 'HUB_COMMAND_RETENTION_DAYS', 90, 1, 36500),
    },
  };
}

export const HUB_CONFIG = Symbol('HUB_CONFIG');
