// Cross-cutting pieces every route relies on: the access guard, the route access check and the in-process event bus.
import { Global, Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { AccessGuard } from './access.guard';
import { HubEvents } from './hub-events';
import { HubInstance } from './hub-instance';
import { RouteAccessCheck } from './route-access.check';

@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [
    { provide: APP_GUARD, useClass: AccessGuard },
    RouteAccessCheck,
    HubEvents,
    HubInstance,
  ],
  exports: [RouteAccessCheck, HubEvents, HubInstance],
})
export class CommonModule {}
