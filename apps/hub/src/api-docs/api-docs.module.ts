// What the hub says about itself for machines: the AsyncAPI document of the device protocol.
// (The OpenAPI document is made in bootstrap.ts, where every route is known.)
import { Module } from '@nestjs/common';
import { ApiDocsController } from './api-docs.controller';

@Module({ controllers: [ApiDocsController] })
export class ApiDocsModule {}
