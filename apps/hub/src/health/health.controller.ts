// Is the hub up and can it reach its database?
import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Public } from '../common/access';

@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly startedAt = new Date();

  constructor(private readonly dataSource: DataSource) {}

  @Get()
  @Public()
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
