import type { Config } from '../config/index.ts';
import { createLogger } from '../lib/logger.ts';
import { startHabla } from '../main.ts';

/** Runs until SIGTERM/SIGINT, then shuts down gracefully (live calls end as server_shutdown). */
export async function runServe(config: Config): Promise<number> {
  const logger = createLogger(config.logLevel);
  const habla = await startHabla(config, logger);
  logger.info({ url: habla.url, dataDir: config.dataDir }, 'habla is listening');
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      habla.close('server_shutdown').then(resolve, (error) => {
        logger.error({ err: error }, 'shutdown failed');
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return 0;
}
