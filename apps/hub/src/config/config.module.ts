// Provides the validated HubConfig and the clock to every module, and keeps the data dir private.
import { Global, Module } from '@nestjs/common';
import { Clock, SystemClock } from '../common/clock';
import { DataDirPermissions } from './data-dir';
import { HUB_CONFIG, loadHubConfig } from './hub-config';

@Global()
@Module({
  providers: [
    // eslint-disable-next-line no-restricted-properties -- the one place the environment is read
    { provide: HUB_CONFIG, useFactory: () => loadHubConfig(process.env) },
    { provide: Clock, useClass: SystemClock },
    DataDirPermissions,
  ],
  exports: [HUB_CONFIG, Clock],
})
export class HubConfigModule {}
