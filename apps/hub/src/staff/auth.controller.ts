// Sign in, sign out, and who am I.
import { Body, Controller, Get, HttpCode, Inject, Post, Req } from '@nestjs/common';
import type { PasswordRule } from '@app/hub-api';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AnyStaff, CurrentStaff, Public, RequestWithPrincipal } from '../common/access';
import type { StaffPrincipal } from '../common/roles';
import { AuthService } from './auth.service';
import { LoginDto, LoginResponseDto, StaffUserDto } from './dto/staff.dto';
import { ApiRoute } from '../api-docs/openapi';

export function bearerToken(request: RequestWithPrincipal): string {
  return (request.headers.authorization ?? '').replace(/^bearer\s+/i, '');
}

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiRoute({
    summary: 'Sign in with a username and password',
    ok: 'A bearer token and the account',
    errors: {
      401: 'Wrong username or password',
      429: 'Too many failed sign-ins for this username: try again later',
    },
  })
  login(@Body() body: LoginDto): Promise<LoginResponseDto> {
    return this.auth.login(body.username, body.password) as Promise<LoginResponseDto>;
  }

  @Post('logout')
  @AnyStaff({ aup: 'exempt' })
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiRoute({
    summary: 'Sign out: this token stops working',
    ok: 'Signed out',
  })
  async logout(
    @CurrentStaff() staff: StaffPrincipal,
    @Req() request: RequestWithPrincipal,
  ): Promise<void> {
    await this.auth.logout(staff, bearerToken(request));
  }

  /** The console shows the rule as someone types a new password (issue 11). */
  @Get('password-rule')
  @AnyStaff({ aup: 'exempt' })
  @ApiBearerAuth()
  @ApiRoute({
    summary:
      'What a new password needs: at least minLength characters (HUB_PASSWORD_MIN_LENGTH) with upper and lower case, a number and a symbol',
    ok: 'The minimum length',
  })
  passwordRule(): PasswordRule {
    return { minLength: this.config.auth.passwordMinLength };
  }

  @Get('me')
  @AnyStaff({ aup: 'exempt' })
  @ApiBearerAuth()
  @ApiOkResponse({ type: StaffUserDto })
  @ApiRoute({
    summary: 'The signed-in account: name and roles',
    ok: 'The account',
  })
  me(@CurrentStaff() staff: StaffPrincipal): StaffUserDto {
    return {
      id: staff.id,
      username: staff.username,
      displayName: staff.displayName,
      roles: staff.roles,
    };
  }
}
