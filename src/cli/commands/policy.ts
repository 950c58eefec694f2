import type { Command } from 'commander';
import { InvalidArgumentError } from '../../core/index.js';
import type { PolicyView, ProbeStep } from '../../services/index.js';
import { formatSize, output, parseSize, table, withApp } from '../context.js';
import { registerPolicyMigrate } from './policy-migrate.js';

/** Flags of `policy add` and `policy set`, turned into the type's settings. */
interface PolicyFlags {
  type?: string;
  dir?: string;
  endpoint?: string;
  bucket?: string;
  region?: string;
  accessKey?: string;
  secretKey?: string;
  prefix?: string;
  pathStyle?: boolean;
  url?: string;
  username?: string;
  password?: string;
  root?: string;
  download?: string;
  inlineMaxBytes?: string;
  rename?: string;
}

function settingsFrom(flags: PolicyFlags): Record<string, unknown> {
  const settings: Record<string, unknown> = {
    path: flags.dir,
    endpoint: flags.endpoint,
    bucket: flags.bucket,
    region: flags.region,
    accessKeyId: flags.accessKey,
    secretAccessKey: flags.secretKey,
    prefix: flags.prefix,
    forcePathStyle: flags.pathStyle,
    url: flags.url,
    username: flags.username,
    password: flags.password,
    root: flags.root,
    download: flags.download,
  };
  if (flags.inlineMaxBytes !== undefined) {
    const bytes = parseSize(flags.inlineMaxBytes);
    if (bytes === null) throw new InvalidArgumentError('--inline-max-bytes takes a size (0 keeps every byte in the store)');
    settings.inlineMaxBytes = bytes;
  }
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
}

function addSettingsFlags(command: Command): Command {
  return command
    .option('--dir <dir>', 'local: the directory of the blobs (relative paths are under the data directory)')
    .option('--endpoint <url>', 's3: endpoint URL')
    .option('--bucket <bucket>', 's3: bucket')
    .option('--region <region>', 's3: region (default us-east-1)')
    .option('--access-key <key>', 's3: access key id')
    .option('--secret-key <secret>', 's3: secret access key (stored encrypted, never shown)')
    .option('--prefix <prefix>', 's3: key prefix inside the bucket')
    .option('--path-style', 's3: path-style URLs (MinIO, most self-hosted stores)')
    .option('--url <url>', 'webdav: the server folder URL')
    .option('--username <user>', 'webdav: user name')
    .option('--password <password>', 'webdav: password (stored encrypted, never shown)')
    .option('--root <folder>', 'webdav: folder on the server that holds the blobs (default /)')
    .option('--download <mode>', 'proxy (through Cumulus) or redirect (presigned URLs where the store can)')
    .option('--inline-max-bytes <size>', 'files up to this size stay in the database (default 64K for local, 0 otherwise)');
}

const where = (policy: PolicyView) => {
  const s = policy.settings;
  if (policy.type === 'local') return String(s.path);
  if (policy.type === 's3') return `${String(s.endpoint)}/${String(s.bucket)}${s.prefix ? `/${String(s.prefix)}` : ''}`;
  return String(s.url);
};

function policyRow(policy: PolicyView) {
  return {
    id: policy.id,
    name: policy.name,
    type: policy.type,
    where: where(policy),
    download: String(policy.settings.download ?? 'proxy'),
    inline: formatSize(policy.inlineMaxBytes),
    files: `${policy.usage.blobs} (${formatSize(policy.usage.bytes)})`,
    groups: policy.usage.groups.join(',') || '-',
    folders: policy.usage.folders,
  };
}

const stepLine = (step: ProbeStep) => `  ${step.ok ? 'ok  ' : 'FAIL'} ${step.step}${step.error ? `: ${step.error}` : ''}`;

export function registerPolicy(program: Command): void {
  const policy = program.command('policy').description('manage storage policies: where file contents are stored (local, s3, webdav)');

  addSettingsFlags(
    policy
      .command('add')
      .description('add a storage policy')
      .argument('<name>', 'policy name')
      .requiredOption('--type <type>', 'local, s3 or webdav'),
  ).action(async (name: string, flags: PolicyFlags, command: Command) => {
    await withApp(command, async (app, json) => {
      const created = await app.policies.add({ name, type: flags.type!, settings: settingsFrom(flags) });
      output(json, { policy: created }, () => `Added storage policy #${created.id} ${created.name}\n${table([policyRow(created)])}`);
    });
  });

  policy
    .command('list')
    .description('list storage policies with what uses them')
    .action(async (_options: unknown, command: Command) => {
      await withApp(command, async (app, json) => {
        const list = await app.policies.list();
        output(json, list, () => table(list.map(policyRow)));
      });
    });

  policy
    .command('test')
    .description('write, read back and delete a probe object; says which step failed')
    .argument('<name>', 'policy name or id')
    .action(async (name: string, _options: unknown, command: Command) => {
      await withApp(command, async (app, json) => {
        const report = await app.policies.test(name);
        output(json, report, () =>
          [`Storage policy "${name}": ${report.ok ? 'works' : 'FAILED'}`, ...report.steps.map(stepLine)].join('\n'),
        );
        if (!report.ok) process.exitCode = 1;
      });
    });

  addSettingsFlags(
    policy
      .command('set')
      .description("change a policy's settings or name (other settings stay as they are)")
      .argument('<name>', 'policy name or id')
      .option('--rename <new>', 'new name'),
  ).action(async (name: string, flags: PolicyFlags, command: Command) => {
    await withApp(command, async (app, json) => {
      const settings = settingsFrom(flags);
      const updated = await app.policies.update(name, {
        ...(flags.rename !== undefined && { name: flags.rename }),
        ...(Object.keys(settings).length > 0 && { settings }),
      });
      output(json, { policy: updated }, () => table([policyRow(updated)]));
    });
  });

  policy
    .command('remove')
    .description('remove a policy that no file, group or folder uses')
    .argument('<name>', 'policy name or id')
    .action(async (name: string, _options: unknown, command: Command) => {
      await withApp(command, async (app, json) => {
        await app.policies.remove(name);
        output(json, { removed: name }, () => `Removed storage policy "${name}".`);
      });
    });

  registerPolicyMigrate(policy);
}
