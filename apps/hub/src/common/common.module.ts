// Cross-cutting pieces every route relies on: the access guard and the route access check.
import { Global, Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { AccessGuard } from './access.guard';
import { RouteAccessCheck } from './route-access.check';

@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [{ provide: APP_GUARD, useClass: AccessGuard }, RouteAccessCheck],
  exports: [RouteAccessCheck],
})
export class CommonModule {}
