// Is the hub up and can it reach its database?
import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Public } from '../common/access';
import { ApiRoute } from '../api-docs/openapi';

@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly startedAt = new Date();

  constructor(private readonly dataSource: DataSource) {}

  @Get()
  @Public()
  @ApiRoute({
    summary: 'Is the hub up, and is its database answering?',
    ok: 'Up, with its uptime',
    errors: {
      503: 'The database is not answering',
    },
  })
  async health() {
    try {
      await this.dataSource.query('SELECT 1');
    } catch {
      throw new ServiceUnavailableException('The database is not answering');
    }
    return {
      status: 'ok',
      database: 'ok',
      uptimeSeconds: Math.round((Date.now() - this.startedAt.getTime()) / 1000),
    };
  }
}
