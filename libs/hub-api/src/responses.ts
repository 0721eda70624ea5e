// What the hub's routes answer, as the console reads them. The hub's DTO classes (Swagger,
// class-validator) describe the same shapes; these are the plain types a browser can import.
import type { StaffRole } from './roles';

/** Every error the hub answers: `{ statusCode, message }` (AllExceptionsFilter). */
export interface ApiErrorBody {
  statusCode: number;
  message: string;
}

/** GET /api/auth/me, and `user` of the sign-in answer. */
export interface StaffUser {
  id: string;
  username: string;
  displayName: string;
  roles: StaffRole[];
}

/** POST /api/auth/login. */
export interface LoginResponse {
  accessToken: string;
  /** ISO 8601, UTC. */
  expiresAt: string;
  user: StaffUser;
}

/** GET /api/auth/password-rule: what a new password needs on this hub. */
export interface PasswordRule {
  minLength: number;
}

/** GET /api/aup: the current acceptable use policy and whether the caller accepted it. */
export interface AupCurrent {
  /** SHA-256 of the text: what POST /api/staff/me/aup-acceptance takes. */
  version: string;
  text: string;
  publishedAt: string;
  acceptedAt: string | null;
}

/** GET /api/school (public): who this hub belongs to. */
export interface School {
  name: string;
  timeZone: string;
  caFingerprint: string;
}

/** A page of a list route (`?page=1&pageSize=50`). */
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}
