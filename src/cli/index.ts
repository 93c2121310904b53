import { ConfigError, loadConfig, type Config } from '../config/index.ts';
import { parseArgs } from './args.ts';
import { runDoctor } from './doctor.ts';
import { runKeys } from './keys.ts';
import { runMigrate } from './migrate.ts';
import { runServe } from './serve.ts';

const USAGE = `habla — self-hostable voice-AI phone agents (Diga-compatible API)

Usage:
  habla serve                      start the API server (and bootstrap an empty database)
  habla migrate                    apply database migrations and exit
  habla keys create [--name N] [--project ID] [--permissions a,b] [--expires ISO-DATE]
  habla keys list [--project ID]
  habla keys revoke <key-id> [--project ID]
  habla doctor                     check system packages and settings

Settings come from the environment: PORT, HOST, HABLA_DATA_DIR, DATABASE_URL,
HABLA_ADMIN_API_KEY, HABLA_SECRET_KEY, LOG_LEVEL (see README).`;

export async function runCli(argv: string[]): Promise<number> {
  const { positional, options } = parseArgs(argv);
  const [command = 'help', ...rest] = positional;
  if (command === 'help' || options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`habla: invalid configuration: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  switch (command) {
    case 'serve':
      return runServe(config);
    case 'migrate':
      return runMigrate(config);
    case 'keys':
      return runKeys(config, rest, options);
    case 'doctor':
      return runDoctor(config);
    default:
      process.stderr.write(`habla: unknown command "${command}"\n\n${USAGE}\n`);
      return 2;
  }
}
