// Every route states who may call it. The guard enforces it; the boot check refuses to start
// a hub with a route that states nothing.
import { SetMetadata, createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { DevicePrincipal, Principal, StaffPrincipal, StaffRole } from './roles';

export const ACCESS_KEY = 'hub:access';

/**
 * A staff route is closed to an account that has not accepted the current acceptable use policy
 * (issue 9), unless its rule says `aup: 'exempt'`: only reading and accepting the AUP, the
 * account's own details, changing its own password and signing out are.
 */
export type AccessRule =
  | { kind: 'public' }
  | { kind: 'staff'; roles: readonly StaffRole[] | 'any'; aup?: 'exempt' }
  | { kind: 'device' };

/** Anyone may call it (login, health, enrolment with its own token). */
export const Public = () => SetMetadata(ACCESS_KEY, { kind: 'public' } satisfies AccessRule);
/** Staff holding at least one of these roles, who have accepted the current AUP. */
export const Roles = (...roles: StaffRole[]) =>
  SetMetadata(ACCESS_KEY, { kind: 'staff', roles } satisfies AccessRule);
/**
 * Any signed-in staff member, whatever their roles. Gated by the AUP like every staff route,
 * unless `{ aup: 'exempt' }`: kept for what someone must reach to accept it (issue 9).
 */
export const AnyStaff = (options: { aup?: 'exempt' } = {}) =>
  SetMetadata(ACCESS_KEY, {
    kind: 'staff',
    roles: 'any',
    ...(options.aup ? { aup: options.aup } : {}),
  } satisfies AccessRule);
/** An enrolled device with a fresh proof. */
export const DeviceProof = () => SetMetadata(ACCESS_KEY, { kind: 'device' } satisfies AccessRule);

export type RequestWithPrincipal = Request & { principal?: Principal; id?: string };

export const CurrentStaff = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): StaffPrincipal => {
    const principal = ctx.switchToHttp().getRequest<RequestWithPrincipal>().principal;
    if (principal?.kind !== 'staff') {
      throw new Error('CurrentStaff used on a route that does not require staff');
    }
    return principal;
  },
);

export const CurrentDevice = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): DevicePrincipal => {
    const principal = ctx.switchToHttp().getRequest<RequestWithPrincipal>().principal;
    if (principal?.kind !== 'device') {
      throw new Error('CurrentDevice used on a route that does not require a device');
    }
    return principal;
  },
);

/**
 * Why a bearer token signs nobody in, in words for the person who held it: the access guard's
 * 401 and the /staff connection's `session.ended` say it, and the console shows it on the
 * sign-in page. Only a token that once signed in learns more than `notValid`.
 */
export const SIGN_IN_ENDED = {
  /** A token the hub never gave out (or one from before a restore). */
  notValid: 'The sign-in has expired or is not valid',
  expired: 'The sign-in has expired: sign in again',
  ended: 'The sign-in was ended (signed out, or the password was changed): sign in again',
  disabled: 'This account has been disabled: ask ICT if you still need it',
} as const;

/** Who checks a staff bearer token; provided by the staff module. */
export abstract class StaffAuthenticator {
  abstract authenticate(token: string): Promise<StaffPrincipal | null>;

  /**
   * For a token `authenticate` refused: why, as one of SIGN_IN_ENDED's sentences. The account's
   * being disabled is said only to a token that was a real sign-in of that account.
   */
  abstract whySignInEnded(token: string): Promise<string>;
}

/**
 * Whether a member of staff may use the hub as far as the acceptable use policy goes; provided
 * by the staff module. Used by the access guard and the /staff namespace.
 */
export abstract class AupGate {
  /**
   * @returns null when the account may go on (the current version accepted, or HUB_REQUIRE_AUP
   *   off), otherwise the message to give it: which version to accept and how
   */
  abstract refusal(staffId: string): Promise<string | null>;
}

/** Who checks a device proof; provided by the devices module. */
export abstract class DeviceAuthenticator {
  abstract authenticateProof(proof: string): Promise<DevicePrincipal | null>;
}
