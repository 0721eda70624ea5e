// The hub's one typed configuration: read from the environment once at boot and validated,
// so a bad setting stops the start with a message that names it.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { refusingPath, statIfAny } from '../common/file-system-refusal';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The costs of staff password hashing a school may choose (HUB_PASSWORD_HASH). */
export const PASSWORD_HASH_COSTS = ['standard', 'minimum'] as const;
export type PasswordHashCost = (typeof PASSWORD_HASH_COSTS)[number];

export interface HubConfig {
  port: number;
  host: string;
  dataDir: string;
  database: HubDatabase;
  adminPassword: string | null;
  /**
   * The folder that holds the hub's certificate authority (HUB_CA_DIR, by default
   * `<dataDir>/ca`). Every hub of a cluster has a copy of the same CA here (issue 10).
   */
  caDir: string;
  /** The school's shared store (HUB_STORE_DIR): one folder for every hub of a cluster. */
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
    /** argon2id's cost for passwords set from now on (HUB_PASSWORD_HASH, password-hashing.ts). */
    passwordHash: PasswordHashCost;
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
  /**
   * The built console the hub serves at / (HUB_CONSOLE_DIR): `npm run build` writes it to
   * dist/console in the hub's own folder, the default.
   */
  consoleDir: string;
  /**
   * The lease that lets one hub of a cluster run the scheduled work (expiry, retention,
   * clean-ups) at a time (issue 10): held for `leaseMs`, renewed every `renewMs`, so another hub
   * takes over within `leaseMs + renewMs` of the holder's death (HUB_SCHEDULED_WORK_LEASE_MS,
   * HUB_SCHEDULED_WORK_RENEW_MS; 40 s and 10 s by default: under a minute).
   */
  scheduledWork: { leaseMs: number; renewMs: number };
  /** Several hubs joined through Redis (HUB_REDIS, issue 10), or null for a hub on its own. */
  cluster: HubCluster | null;
  /**
   * Outgoing email (issue 13: loan reminders): `smtpUrl` is HUB_SMTP_URL (`smtp://host:25`,
   * `smtps://user:pass@host:465`), null to send none; `from` is HUB_MAIL_FROM.
   */
  mail: { smtpUrl: string | null; from: string };
  /**
   * Loan reminders (issue 13): how often the hub that runs the scheduled work looks for reminders
   * due (HUB_REMINDER_CHECK_MS, 60 s by default).
   */
  reminders: { checkMs: number };
  /** Photo sync (issue 14); see HubPhotos. */
  photos: HubPhotos;
}

/**
 * Photo sync (issue 14): the largest upload (HUB_PHOTO_MAX_MB, 50), how long a partial upload is
 * kept (HUB_PHOTO_PARTIAL_HOURS, 24), how often an unavailable store is tried again
 * (HUB_PHOTO_STORE_RETRY_MS, 10 s) and how many thumbnails are made at once
 * (HUB_PHOTO_THUMBNAIL_CONCURRENCY, 1).
 */
export interface HubPhotos {
  maxBytes: number;
  partialHours: number;
  storeRetryMs: number;
  thumbnailConcurrency: number;
}

/**
 * How this hub joins the others of its cluster: Socket.IO's Redis adapter on `redisUrl`, its
 * channels named from `redisPrefix`; a liveness row per hub in the shared database, written
 * every `heartbeatMs`, and a hub silent for `deadAfterMs` taken for dead (its devices offline).
 */
export interface HubCluster {
  redisUrl: string;
  redisPrefix: string;
  heartbeatMs: number;
  deadAfterMs: number;
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

/** HUB_PASSWORD_HASH: `standard` (the default) or `minimum`; anything else is refused. */
function passwordHashCost(env: Env): PasswordHashCost {
  const value = (text(env, 'HUB_PASSWORD_HASH') ?? 'standard').toLowerCase();
  if (!(PASSWORD_HASH_COSTS as readonly string[]).includes(value)) {
    throw new ConfigError(
      'HUB_PASSWORD_HASH',
      `must be one of ${PASSWORD_HASH_COSTS.join(', ')}, got '${value}'`,
    );
  }
  return value as PasswordHashCost;
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
export function postgresUrl(raw: string): string {
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
  // The file system's refusals in words (a folder, a folder above it this user may not open),
  // never the errno; a missing file as before.
  const read = (setting: string, file: string): string => {
    const refuse = (problem: string) => new ConfigError(setting, problem);
    if (!refusingPath('read', file, file, () => statIfAny(file), refuse)) {
      throw new ConfigError(setting, `no file at ${file}`);
    }
    return refusingPath('read', file, file, () => fs.readFileSync(file, 'utf8'), refuse);
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

/**
 * HUB_REDIS and the settings that go with it. A cluster needs one database every hub shares, so
 * HUB_REDIS with a SQLite HUB_DB stops the start.
 *
 * @throws ConfigError naming the setting that is wrong; the message never repeats a password
 */
function cluster(env: Env, db: HubDatabase): HubCluster | null {
  const raw = text(env, 'HUB_REDIS');
  if (raw === undefined) {
    return null;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('HUB_REDIS', `is not a valid URL: '${redactUrl(raw)}'`);
  }
  if (!['redis:', 'rediss:'].includes(url.protocol) || url.hostname === '') {
    throw new ConfigError(
      'HUB_REDIS',
      `must be 'redis://host:port' (or rediss:// for TLS), got '${redactUrl(raw)}'`,
    );
  }
  if (db.type !== 'postgres') {
    throw new ConfigError(
      'HUB_REDIS',
      'needs HUB_DB=postgres://...: the hubs of one cluster share one PostgreSQL database',
    );
  }
  const redisPrefix = text(env, 'HUB_REDIS_PREFIX') ?? 'classroom-hub';
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(redisPrefix)) {
    throw new ConfigError(
      'HUB_REDIS_PREFIX',
      `must be 1 to 64 letters, digits, '_', '.', ':' or '-', got '${redisPrefix}'`,
    );
  }
  const heartbeatMs = integer(env, 'HUB_CLUSTER_HEARTBEAT_MS', 10_000, 100, 60_000);
  const deadAfterMs = integer(env, 'HUB_CLUSTER_DEAD_AFTER_MS', 30_000, 500, 600_000);
  if (deadAfterMs < 2 * heartbeatMs) {
    throw new ConfigError(
      'HUB_CLUSTER_DEAD_AFTER_MS',
      `must be at least twice HUB_CLUSTER_HEARTBEAT_MS (${heartbeatMs}), got '${deadAfterMs}'`,
    );
  }
  return { redisUrl: raw, redisPrefix, heartbeatMs, deadAfterMs };
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

/**
 * HUB_SCHEDULED_WORK_LEASE_MS and HUB_SCHEDULED_WORK_RENEW_MS. The lease must outlast two
 * renewals, so that one slow renewal does not hand the work to another hub.
 *
 * @throws ConfigError naming the setting that is out of range
 */
function scheduledWork(env: Env): HubConfig['scheduledWork'] {
  const leaseMs = integer(env, 'HUB_SCHEDULED_WORK_LEASE_MS', 40_000, 1000, 600_000);
  const renewMs = integer(env, 'HUB_SCHEDULED_WORK_RENEW_MS', 10_000, 100, 300_000);
  if (renewMs * 2 > leaseMs) {
    throw new ConfigError(
      'HUB_SCHEDULED_WORK_RENEW_MS',
      `must be at most half of HUB_SCHEDULED_WORK_LEASE_MS (${leaseMs}), got '${renewMs}'`,
    );
  }
  return { leaseMs, renewMs };
}

/**
 * dist/console in the folder that holds the hub's package.json, found from this file: the same
 * whether the hub runs from dist/ (npm start, systemd) or from its sources (ts-node, the tests),
 * and whatever the working directory.
 */
function defaultConsoleDir(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) {
    dir = path.dirname(dir);
  }
  return path.join(dir, 'dist', 'console');
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
  const db = database(env, dataDir);
  return {
    port: integer(env, 'HUB_PORT', 8080, 0, 65535),
    host: text(env, 'HUB_HOST') ?? '0.0.0.0',
    dataDir,
    database: db,
    adminPassword,
    caDir: path.resolve(text(env, 'HUB_CA_DIR') ?? path.join(dataDir, 'ca')),
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
      passwordHash: passwordHashCost(env),
    },
    aupFile: text(env, 'HUB_AUP_FILE') ? path.resolve(text(env, 'HUB_AUP_FILE') as string) : null,
    requireAup: flag(env, 'HUB_REQUIRE_AUP', true),
    tls: tlsFiles(env),
    schoolName: schoolName(env),
    auditRetentionDays: integer(env, 'HUB_AUDIT_RETENTION_DAYS', 3650, 30, 36500),
    consoleDir: path.resolve(text(env, 'HUB_CONSOLE_DIR') ?? defaultConsoleDir()),
    commands: {
      ackTimeoutMs: integer(env, 'HUB_COMMAND_ACK_TIMEOUT_MS', 30000, 1000, 600000),
      notNowRetryMs: integer(env, 'HUB_COMMAND_RETRY_MS', 30000, 30000, 86400000),
      retentionDays: integer(env, 'HUB_COMMAND_RETENTION_DAYS', 90, 1, 36500),
    },
    scheduledWork: scheduledWork(env),
    cluster: cluster(env, db),
    photos: {
      maxBytes: integer(env, 'HUB_PHOTO_MAX_MB', 50, 1, 10_000) * 1024 * 1024,
      partialHours: integer(env, 'HUB_PHOTO_PARTIAL_HOURS', 24, 1, 24 * 365),
      storeRetryMs: integer(env, 'HUB_PHOTO_STORE_RETRY_MS', 10_000, 100, 600_000),
      thumbnailConcurrency: integer(env, 'HUB_PHOTO_THUMBNAIL_CONCURRENCY', 1, 1, 16),
    },
    mail: mail(env),
    reminders: { checkMs: integer(env, 'HUB_REMINDER_CHECK_MS', 60_000, 100, 3_600_000) },
  };
}

/**
 * HUB_SMTP_URL (smtp:// or smtps://, parsed by the WHATWG URL parser) and HUB_MAIL_FROM (an
 * address, by default `hub@localhost`). A malformed URL stops the start naming the setting.
 */
function mail(env: Env): HubConfig['mail'] {
  const smtpUrl = text(env, 'HUB_SMTP_URL') ?? null;
  if (smtpUrl !== null) {
    let protocol = '';
    try {
      protocol = new URL(smtpUrl).protocol;
    } catch {
      throw new ConfigError('HUB_SMTP_URL', 'must be a URL such as smtp://mail.school.lan:25');
    }
    if (protocol !== 'smtp:' && protocol !== 'smtps:') {
      throw new ConfigError('HUB_SMTP_URL', `must start smtp:// or smtps://, got '${protocol}'`);
    }
  }
  const from = text(env, 'HUB_MAIL_FROM') ?? 'hub@localhost';
  if (!/^[^\s@<>]+@[^\s@<>]+$/.test(from)) {
    throw new ConfigError('HUB_MAIL_FROM', `must be an email address, got '${from}'`);
  }
  return { smtpUrl, from };
}

export const HUB_CONFIG = Symbol('HUB_CONFIG');
