// The hub's machine-readable descriptions beside the OpenAPI document at /api/docs: the device
// protocol as AsyncAPI 3.0. Public, like /api/docs: it describes the protocol, not the school.
import { Controller, Get, Header, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '../common/access';
import { buildAsyncApiDocument } from './asyncapi';

@ApiTags('docs')
@Controller('docs')
export class ApiDocsController {
  @Get('asyncapi.json')
  @Public()
  @Header('Cache-Control', 'no-cache')
  @ApiOperation({
    summary: 'The device protocol (the /device Socket.IO namespace) as an AsyncAPI 3.0 document',
    description:
      'Its message payloads are the JSON Schemas the hub validates device messages with. The ' +
      'server is the host this request reached.',
  })
  @ApiOkResponse({ description: 'An AsyncAPI 3.0.0 document (JSON)' })
  asyncApi(@Req() request: Request) {
    return buildAsyncApiDocument({
      host: request.get('host') ?? 'localhost:8080',
      protocol: request.secure ? 'wss' : 'ws',
    });
  }
}
