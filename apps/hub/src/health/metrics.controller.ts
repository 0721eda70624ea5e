// Operating figures for ICT and the benchmarks: connected devices, memory, event-loop delay
// and the command queue by status.
import { Controller, Get, HttpCode, OnModuleDestroy, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { Roles } from '../common/access';
import { CommandsService } from '../commands/commands.service';
import { DeviceConnections } from '../devices/device-connections';
import { ApiRoute } from '../api-docs/openapi';

const ms = (ns: number) => Math.round(ns / 1e4) / 100;

@ApiTags('health')
@ApiBearerAuth()
@Controller('metrics')
export class MetricsController implements OnModuleDestroy {
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });

  constructor(
    private readonly connections: DeviceConnections,
    private readonly commands: CommandsService,
  ) {
    this.loop.enable();
  }

  onModuleDestroy(): void {
    this.loop.disable();
  }

  @Get()
  @Roles('ict')
  @ApiRoute({
    summary: 'Operating figures: connected devices, memory, event-loop delay, commands by status',
    ok: 'The figures',
  })
  async metrics() {
    const memory = process.memoryUsage();
    return {
      connectedDevices: this.connections.count,
      rssMb: Math.round(memory.rss / 1048576),
      heapUsedMb: Math.round(memory.heapUsed / 1048576),
      eventLoopDelayMs: {
        p50: ms(this.loop.percentile(50)),
        p99: ms(this.loop.percentile(99)),
        max: ms(this.loop.max),
      },
      commands: await this.commands.countByStatus(),
    };
  }

  /** Starts a new event-loop delay measurement (a benchmark calls it before its run). */
  @Post('event-loop/reset')
  @Roles('ict')
  @HttpCode(204)
  @ApiRoute({
    summary: 'Start a new event-loop delay measurement',
    ok: 'Started',
  })
  resetEventLoop(): void {
    this.loop.reset();
  }
}
