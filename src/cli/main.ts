#!/usr/bin/env node
import { Command } from 'commander';
import { InvalidDocumentError } from '../core/validation.js';
import { CatalogCollisionError } from '../proxy/catalog.js';
import { runHttp, runStdio } from '../main.js';
import { registerCatalogCommands } from './catalog.js';
import { registerPolicyCommands } from './policy.js';
import { registerAuditCommands } from './audit.js';
import { registerKeyCommands } from './keys.js';
import { registerPinCommands } from './pins.js';
import { registerApprovalCommands } from './approvals.js';
import { registerServerCommands } from './servers.js';
import { ADMIN_ROUTES } from '../adapters/http/admin/api.js';
import { openApiDocument } from '../adapters/http/admin/openapi.js';
import { GATEHOUSE_VERSION } from '../version.js';

/** Startup failures the user can fix get one clear message and exit code 2, not a stack trace. */
function fail(error: unknown): never {
  if (error instanceof InvalidDocumentError) {
    process.stderr.write(`gatehouse: invalid ${error.kind} ${error.file}\n`);
    for (const issue of error.issues) process.stderr.write(`  ${issue.path}: ${issue.message}\n`);
  } else if (error instanceof CatalogCollisionError) {
    process.stderr.write(`gatehouse: ${error.message}\n  set prefix.mode to "on-collision" or "always", or rename the tools upstream\n`);
  } else {
    process.stderr.write(`gatehouse: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(2);
}

const program = new Command('gatehouse').description('MCP policy gateway: every tool call passes your rules first').version(GATEHOUSE_VERSION);
const configOption = ['-c, --config <file>', 'gateway config (YAML or JSON)', 'gatehouse.yaml'] as const;

program
  .command('serve')
  .description('serve agents over Streamable HTTP at /mcp')
  .option(...configOption)
  .action(async (opts: { config: string }) => {
    const { app, http } = await runHttp(opts.config).catch(fail);
    process.stderr.write(`gatehouse: listening on ${http.url} with ${app.gateway.catalog.tools.size} upstream tools\n`);
    if (http.generatedAdminToken) {
      process.stderr.write(`gatehouse: console at ${new URL('/', http.url).href}, admin token for this run: ${http.generatedAdminToken}\n`);
    }
    const shutdown = () => void Promise.all([http.close(), app.close()]).finally(() => process.exit(0));
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });

program
  .command('stdio')
  .description('serve one agent over stdin/stdout (for clients that spawn a command)')
  .option(...configOption)
  .option('--agent <name>', 'the agent identity for this session (used by per-agent limits and the audit)', 'stdio')
  .action(async (opts: { config: string; agent: string }) => {
    await runStdio(opts.config, opts.agent).catch(fail);
    process.exit(0);
  });

registerCatalogCommands(program, configOption, fail);
registerPolicyCommands(program, configOption, fail);
registerAuditCommands(program, configOption, fail);
registerKeyCommands(program, configOption, fail);
registerPinCommands(program, configOption, fail);
registerApprovalCommands(program, configOption, fail);
registerServerCommands(program, configOption, fail);

program
  .command('openapi')
  .description('print the OpenAPI description of the admin API')
  .action(() => {
    process.stdout.write(`${JSON.stringify(openApiDocument(ADMIN_ROUTES, GATEHOUSE_VERSION), null, 2)}\n`);
  });

await program.parseAsync(process.argv);
