// Refuses to start a hub that has an HTTP route without an access rule, and lists every route
// with its rule for the test that walks them all.
import { Injectable, OnApplicationBootstrap, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ACCESS_KEY, AccessRule } from './access';

export interface RouteAccess {
  method: string;
  path: string;
  rule: AccessRule | undefined;
  /** The handler method, for what else its decorators say (its status code, in /api/docs). */
  handler: object;
}

@Injectable()
export class RouteAccessCheck implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onApplicationBootstrap(): void {
    const missing = this.routes().filter((route) => !route.rule);
    if (missing.length > 0) {
      throw new Error(
        `Routes without an access rule: ${missing.map((r) => `${r.method} ${r.path}`).join(', ')}`,
      );
    }
  }

  routes(): RouteAccess[] {
    const routes: RouteAccess[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const instance = wrapper.instance as object | undefined;
      if (!instance || !wrapper.metatype) {
        continue;
      }
      const prototype = Object.getPrototypeOf(instance) as object;
      const base = ([] as string[]).concat(
        (Reflect.getMetadata(PATH_METADATA, wrapper.metatype) as string | string[] | undefined) ??
          '',
      )[0];
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = (prototype as Record<string, unknown>)[name] as object;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) {
          continue;
        }
        const sub = ([] as string[]).concat(
          (Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined) ?? '',
        )[0];
        routes.push({
          method: RequestMethod[method],
          path:
            '/' +
            ['api', base, sub]
              .filter((p) => p && p !== '/')
              .map(trimSlashes)
              .join('/'),
          rule: this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_KEY, [
            handler as () => void,
            wrapper.metatype as () => void,
          ]),
          handler,
        });
      }
    }
    return routes;
  }
}

function trimSlashes(part: string): string {
  return part.replace(/^\/+|\/+$/g, '');
}
