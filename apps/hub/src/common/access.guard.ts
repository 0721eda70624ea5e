// Applies each route's access rule: who is asking (bearer token or device proof), whether their
// roles allow it, and whether they have accepted the current AUP (issue 9). 401 when we do not
// know who it is, 403 when they may not.
import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import type { AccessRefusal } from '@app/hub-api';
import {
  ACCESS_KEY,
  AccessRule,
  AupGate,
  DeviceAuthenticator,
  RequestWithPrincipal,
  StaffAuthenticator,
} from './access';
import { codedForbidden } from './coded-refusal';
import { hasAnyRole } from './roles';

@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly moduleRef: ModuleRef,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') {
      return true; // sockets authenticate in their connection middleware
    }
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!rule) {
      throw new ForbiddenException('This route states no access rule');
    }
    if (rule.kind === 'public') {
      return true;
    }
    const request = context.switchToHttp().getRequest<RequestWithPrincipal>();
    const [scheme, credential] = splitAuthorization(request.headers.authorization);
    if (rule.kind === 'device') {
      if (scheme !== 'device' || !credential) {
        throw new UnauthorizedException('A device proof is required');
      }
      const device = await this.moduleRef
        .get(DeviceAuthenticator, { strict: false })
        .authenticateProof(credential);
      if (!device) {
        throw new UnauthorizedException('The device proof was refused');
      }
      request.principal = device;
      return true;
    }
    if (scheme !== 'bearer' || !credential) {
      throw new UnauthorizedException('Sign in first: a bearer token is required');
    }
    const authenticator = this.moduleRef.get(StaffAuthenticator, { strict: false });
    const staff = await authenticator.authenticate(credential);
    if (!staff) {
      // Said to the console, which tells the person why they must sign in again.
      throw new UnauthorizedException(await authenticator.whySignInEnded(credential));
    }
    request.principal = staff;
    if (rule.roles !== 'any' && !hasAnyRole(staff, rule.roles)) {
      throw new ForbiddenException(`This needs one of the roles: ${rule.roles.join(', ')}`);
    }
    if (rule.aup !== 'exempt') {
      const refusal = await this.moduleRef.get(AupGate, { strict: false }).refusal(staff.id);
      if (refusal) {
        // `code` is what the console acts on (it shows the AUP), never these words.
        const code: AccessRefusal = 'aup_required';
        throw codedForbidden(code, refusal);
      }
    }
    return true;
  }
}

function splitAuthorization(header: string | undefined): [string | null, string | null] {
  if (!header) {
    return [null, null];
  }
  const space = header.indexOf(' ');
  if (space < 0) {
    return [null, null];
  }
  return [header.slice(0, space).toLowerCase(), header.slice(space + 1).trim() || null];
}
