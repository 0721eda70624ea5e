// The hub's one typed configuration: read from the environment once at boot and validated,
// so a bad setting stops the start with a message that names it.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tls from 'node:tls';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface HubConfig {
  port: number;
  host: string;
  dataDir: string;
  database: HubDatabase;
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
  /**
   * Whether staff must accept the current AUP before using the hub (issue 9). Off only for a
   * school that records acceptance on paper.
   */
  requireAup: boolean;
  /** HTTPS and WSS served directly on `port` (HUB_TLS_CERT and HUB_TLS_KEY), or null for HTTP. */
  tls: HubTls | null;
  /** The school's name (HUB_SCHOOL_NAME): the organisation on every Apple profile. */
  schoolName: string;
  auditRetentionDays: number;
  commands: { ackTimeoutMs: number; notNowRetryMs: number; retentionDays: number };
}

/**
 * Where the hub keeps its data (HUB_DB): a SQLite file (the embedded default, one school on one
 * box), or a PostgreSQL database by URL (issue 10: several hubs on one database).
 */
export type HubDatabase = { type: 'sqlite'; path: string } | { type: 'postgres'; url: string };

/** The hub's own TLS certificate and key, read and checked at start. */
export interface HubTls {
  certFile: string;
  keyFile: string;
  /** PEM: the server certificate, then any intermediates. */
  cert: string;
  /** PEM private key. */
  key: string;
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
    return { type: 'postgres', url: postgresUrl(raw) };
  }
  throw new ConfigError(
    'HUB_DB',
    `must be 'sqlite:<file>' or 'postgres://user@host:port/database', got '${redactUrl(raw)}'`,
  );
}

/**
 * A PostgreSQL URL as `pg` reads it (`postgres://user:password@host:port/database?options`),
 * checked to name a host and a database so that a typo stops the start, not the first query.
 *
 * @throws ConfigError naming HUB_DB; the message never repeats a password
 */
function postgresUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('HUB_DB', `is not a valid URL: '${redactUrl(raw)}'`);
  }
  if (url.hostname === '' && !url.searchParams.has('host')) {
    throw new ConfigError('HUB_DB', `needs a host, as in 'postgres://hub@127.0.0.1:5432/hub'`);
  }
  if (url.pathname.replace(/^\//, '') === '') {
    throw new ConfigError(
      'HUB_DB',
      `needs a database name, as in 'postgres://hub@127.0.0.1:5432/hub'`,
    );
  }
  return raw;
}

/**
 * The SQLite file of a hub on SQLite, for what works on that file directly (backup, restore,
 * the WAL checkpointer).
 *
 * @throws ConfigError naming HUB_DB when the hub is on PostgreSQL
 */
export function sqliteFile(database: HubDatabase): string {
  if (database.type !== 'sqlite') {
    throw new ConfigError(
      'HUB_DB',
      'is a PostgreSQL database: this works on a SQLite hub only (back PostgreSQL up with pg_dump)',
    );
  }
  return database.path;
}

/** `raw` with any password in it replaced by `***`, for error messages and logs. */
export function redactUrl(raw: string): string {
  return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}

/**
 * HUB_TLS_CERT and HUB_TLS_KEY: both PEM file paths or neither. Each file must be readable and
 * parse, and the key must belong to the certificate.
 *
 * @throws ConfigError naming the setting whose file is missing, unreadable or wrong
 */
function tlsFiles(env: Env): HubTls | null {
  const certFile = text(env, 'HUB_TLS_CERT');
  const keyFile = text(env, 'HUB_TLS_KEY');
  if (certFile === undefined && keyFile === undefined) {
    return null;
  }
  if (keyFile === undefined) {
    throw new ConfigError('HUB_TLS_KEY', 'must be set with HUB_TLS_CERT (both or neither)');
  }
  if (certFile === undefined) {
    throw new ConfigError('HUB_TLS_CERT', 'must be set with HUB_TLS_KEY (both or neither)');
  }
  const read = (setting: string, file: string): string => {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new ConfigError(
        setting,
        code === 'ENOENT'
          ? `no file at ${file}`
          : code === 'EACCES'
            ? `${file} cannot be read by this user`
            : `${file} cannot be read (${code ?? String(error)})`,
      );
    }
  };
  const cert = read('HUB_TLS_CERT', path.resolve(certFile));
  const key = read('HUB_TLS_KEY', path.resolve(keyFile));
  try {
    new crypto.X509Certificate(cert);
  } catch {
    throw new ConfigError('HUB_TLS_CERT', `${certFile} is not a PEM certificate`);
  }
  try {
    crypto.createPrivateKey(key);
  } catch {
    throw new ConfigError(
      'HUB_TLS_KEY',
      `${keyFile} is not a PEM private key without a passphrase`,
    );
  }
  try {
    tls.createSecureContext({ cert, key });
  } catch (error) {
    throw new ConfigError(
      'HUB_TLS_KEY',
      `${keyFile} does not belong to the certificate in HUB_TLS_CERT (${(error as Error).message})`,
    );
  }
  return { certFile: path.resolve(certFile), keyFile: path.resolve(keyFile), cert, key };
}

function schoolName(env: Env): string {
  const name = text(env, 'HUB_SCHOOL_NAME') ?? 'School';
  // It goes into every Apple profile: XML 1.0 cannot carry control characters.
  if (name.length > 100 || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new ConfigError(
      'HUB_SCHOOL_NAME',
      'must be up to 100 characters, without control characters',
    );
  }
  return name;
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
    requireAup: flag(env, 'HUB_REQUIRE_AUP', true),
    tls: tlsFiles(env),
    schoolName: schoolName(env),
    auditRetentionDays: integer(env, 'HUB_AUDIT_RETENTION_DAYS', 3650, 30, 36500),
    commands: {
      ackTimeoutMs: integer(env, 'HUB_COMMAND_ACK_TIMEOUT_MS', 30000, 1000, 600000),
      notNowRetryMs: integer(env, 'HUB_COMMAND_RETRY_MS', 30000, 30000, 86400000),
      retentionDays: integer(env, 'HUB_COMMAND_RETENTION_DAYS', 90, 1, 36500),
    },
  };
}

export const HUB_CONFIG = Symbol('HUB_CONFIG');
