// Every route states who may call it. The guard enforces it; the boot check refuses to start
// a hub with a route that states nothing.
import { SetMetadata, createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { DevicePrincipal, Principal, StaffPrincipal, StaffRole } from './roles';

export const ACCESS_KEY = 'hub:access';

export type AccessRule =
  { kind: 'public' } | { kind: 'staff'; roles: readonly StaffRole[] | 'any' } | { kind: 'device' };

/** Anyone may call it (login, health, enrolment with its own token). */
export const Public = () => SetMetadata(ACCESS_KEY, { kind: 'public' } satisfies AccessRule);
/** Staff holding at least one of these roles. */
export const Roles = (...roles: StaffRole[]) =>
  SetMetadata(ACCESS_KEY, { kind: 'staff', roles } satisfies AccessRule);
/** Any signed-in staff member, whatever their roles (their own account, the AUP). */
export const AnyStaff = () =>
  SetMetadata(ACCESS_KEY, { kind: 'staff', roles: 'any' } satisfies AccessRule);
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

/** Who checks a staff bearer token; provided by the staff module. */
export abstract class StaffAuthenticator {
  abstract authenticate(token: string): Promise<StaffPrincipal | null>;
}

/** Who checks a device proof; provided by the devices module. */
export abstract class DeviceAuthenticator {
  abstract authenticateProof(proof: string): Promise<DevicePrincipal | null>;
}
